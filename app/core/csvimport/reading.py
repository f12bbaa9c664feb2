"""Bytes -> records: encoding, delimiter, header and decimal-comma detection, quoted fields
with delimiters and newlines inside, blank lines skipped, 1-based start line per record."""

from __future__ import annotations

import codecs
import csv
import gc
import io
import os
import re
import stat
from collections import namedtuple
from itertools import chain, count, islice, repeat
from operator import itemgetter

from .coords import CoordinateError, looks_numeric, parse_coordinate
from .errors import CsvFormatError, DecodingError, EmptyFileError, NotAFileError, NotTextError
from .mapping import is_known_label

TYPE_CHECKING = False  # typing is not imported at run time: it costs ~20 ms at start-up
if TYPE_CHECKING:
    from collections.abc import Iterator, Sequence
    from pathlib import Path
    from typing import BinaryIO, TextIO

__all__ = [
    "CHUNK",
    "DELIMITERS",
    "CsvStream",
    "iter_record_chunks",
    "open_csv",
    "CsvOptions",
    "ParsedCsv",
    "Record",
    "decode_bytes",
    "file_kind",
    "open_input",
    "detect_decimal_comma",
    "detect_delimiter",
    "detect_header",
    "parse_csv",
    "read_file",
    "split_records",
]

DELIMITERS = (",", ";", "\t", "|")
DELIMITER_NAMES = {",": "comma", ";": "semicolon", "\t": "tab", "|": "pipe"}
_SAMPLE_RECORDS = 60
_SAMPLE_CHARS = 256 * 1024
_CONTROL_SAMPLE = 32 * 1024
_FIELD_LIMIT = 10 * 1024 * 1024
_DECIMAL_COMMA_RE = re.compile(r"^\s*[-+]?\d{1,3},\d+\s*$")
_DECIMAL_POINT_RE = re.compile(r"^\s*[-+]?\d{1,3}\.\d+\s*$")
# Characters a text file never holds (C0 controls other than tab, LF, VT, FF, CR).
_SEP_LINE_RE = re.compile(r"\ufeff?sep=([^\r\n\"])[ \t]*(?:\r\n|\r|\n)", re.IGNORECASE)
_CONTROL_RE = re.compile("[\x00-\x08\x0e-\x1f]")

# One record: the 1-based line where it starts (header = line 1) and its fields (list[str]).
Record = namedtuple("Record", ["line", "fields"])


class CsvOptions:
    """What the person chose; None means "detect"."""

    __slots__ = ("encoding", "delimiter", "decimal_comma", "has_header")

    def __init__(self, encoding: str | None = None, delimiter: str | None = None,
                 decimal_comma: bool | None = None, has_header: bool | None = None) -> None:
        self.encoding = encoding
        self.delimiter = delimiter
        self.decimal_comma = decimal_comma
        self.has_header = has_header

    def _key(self) -> tuple[object, ...]:
        return (self.encoding, self.delimiter, self.decimal_comma, self.has_header)

    def __eq__(self, other: object) -> bool:
        return isinstance(other, CsvOptions) and self._key() == other._key()

    def __hash__(self) -> int:
        return hash(self._key())

    def __repr__(self) -> str:
        return (f"CsvOptions(encoding={self.encoding!r}, delimiter={self.delimiter!r}, "
                f"decimal_comma={self.decimal_comma!r}, has_header={self.has_header!r})")


class ParsedCsv:
    """The file as records, with what was detected (or forced) to read it.

    `header`: the header's titles, or "column 1", "column 2"... without one (one per column).
    `records`: data records only (not the header), blank lines skipped.
    """

    __slots__ = ("encoding", "delimiter", "has_header", "decimal_comma", "header", "records", "options")

    def __init__(self, encoding: str, delimiter: str, has_header: bool, decimal_comma: bool,
                 header: list[str], records: list[Record], options: CsvOptions | None = None) -> None:
        self.encoding = encoding
        self.delimiter = delimiter
        self.has_header = has_header
        self.decimal_comma = decimal_comma
        self.header = header
        self.records = records
        self.options = options or CsvOptions()

    @property
    def width(self) -> int:
        return len(self.header)

    @property
    def delimiter_name(self) -> str:
        return DELIMITER_NAMES.get(self.delimiter, self.delimiter)

    def __repr__(self) -> str:
        return (f"ParsedCsv(encoding={self.encoding!r}, delimiter={self.delimiter!r}, "
                f"has_header={self.has_header}, decimal_comma={self.decimal_comma}, header={self.header!r}, "
                f"records=<{len(self.records)}>)")


_NONBLOCK = os.O_NONBLOCK if os.name == "posix" else 0
_KINDS = ((stat.S_ISDIR, "a folder"), (stat.S_ISFIFO, "a pipe (FIFO)"), (stat.S_ISSOCK, "a socket"),
          (stat.S_ISCHR, "a device"), (stat.S_ISBLK, "a device"))


def file_kind(mode: int) -> str:
    """What a file of this st_mode is, in words ("a folder", "a pipe (FIFO)", "a device"...)."""
    return next((word for test, word in _KINDS if test(mode)), "not a regular file")


def open_input(path: str | Path) -> BinaryIO:
    """The engine's I/O (with `read_file`): ``path`` opened for reading, refused at once unless
    it is a regular file — a FIFO would block forever, /dev/zero never ends, a folder is no
    file. Raises NotAFileError, or OSError (FileNotFoundError...) as is."""
    fd = os.open(path, os.O_RDONLY | _NONBLOCK)  # a FIFO opens without waiting for a writer
    try:
        mode = os.fstat(fd).st_mode
        if not stat.S_ISREG(mode):
            raise NotAFileError(f"this is {file_kind(mode)}, not a file")
        if _NONBLOCK:
            os.set_blocking(fd, True)
        return os.fdopen(fd, "rb")
    except BaseException:
        os.close(fd)
        raise


def read_file(path: str | Path) -> bytes:
    """The whole file (the wizard keeps it to re-read with other options). Raises NotAFileError
    or OSError as `open_input` does."""
    with open_input(path) as fh:
        return fh.read()


_BOMS = (
    (codecs.BOM_UTF32_LE, "utf-32"),
    (codecs.BOM_UTF32_BE, "utf-32"),
    (codecs.BOM_UTF8, "utf-8-sig"),
    (codecs.BOM_UTF16_LE, "utf-16"),
    (codecs.BOM_UTF16_BE, "utf-16"),
)


def _check_text(text: str) -> None:
    if not text.strip():
        raise EmptyFileError("the file is empty")
    sample = text[:_CONTROL_SAMPLE]
    if _CONTROL_RE.search(sample) and len(_CONTROL_RE.findall(sample)) * 100 > len(sample):
        raise NotTextError("this is not a text file (it holds binary data)")


def _normalise_codec(name: str) -> str:
    """The codec's canonical name; LookupError for a name Python does not know or for a codec
    that is no text encoding (rot13, base64, zlib...)."""
    codec = codecs.lookup(name).name
    "".encode(codec)  # LookupError: "... is not a text encoding"
    return codec


_SNIFF_BYTES = 1 << 20  # what is read to choose the encoding and detect the format
_UTF8_STEP = 1 << 20


def _utf16_order(head: bytes) -> str | None:
    """"utf-16-le" or "utf-16-be" for UTF-16 text without a BOM (mostly ASCII: every other byte
    is zero), else None."""
    sample = head[:8192]
    if len(sample) < 4:
        return None
    sample = sample[: len(sample) // 2 * 2]
    even, odd = sample[0::2], sample[1::2]
    zeros_even, zeros_odd = even.count(0), odd.count(0)
    half = len(even)
    if zeros_odd * 10 >= half * 7 and zeros_even * 20 <= half:
        return "utf-16-le"
    if zeros_even * 10 >= half * 7 and zeros_odd * 20 <= half:
        return "utf-16-be"
    return None


def _is_utf8(head: bytes, rest: Iterator[bytes]) -> bool:
    decoder = codecs.getincrementaldecoder("utf-8")()
    try:
        decoder.decode(head)
        for block in rest:
            decoder.decode(block)
        decoder.decode(b"", final=True)
    except UnicodeDecodeError:
        return False
    return True


def _choose_encoding(head: bytes, encoding: str | None, rest: Iterator[bytes]) -> str:
    """The codec to read a file with, from its first bytes (``rest``: the remaining bytes, read
    only to check that UTF-8 holds to the end)."""
    if encoding:
        try:
            name = _normalise_codec(encoding)
        except LookupError:
            raise DecodingError(f"'{encoding}' is not a text encoding Cabinet can read",
                                "Give an encoding such as utf-8, utf-16, cp1252 or latin-1, or leave "
                                "--encoding out to detect it.") from None
        return "utf-8-sig" if name == "utf-8" and head.startswith(codecs.BOM_UTF8) else name
    for bom, name in _BOMS:
        if head.startswith(bom):
            return name
    order = _utf16_order(head)
    if order:
        return order
    if _is_utf8(head, rest):
        return "utf-8"
    from charset_normalizer import from_bytes  # start-up: imported only for non-UTF-8 files

    matches = list(from_bytes(head))
    if not matches:
        raise NotTextError("this is not a text file (no text encoding fits its bytes)")
    best = matches[0]
    name = best.encoding
    for match in matches:
        if match.encoding == "cp1252" and match.chaos <= best.chaos + 0.02:
            name = "cp1252"
            break
    try:
        return _normalise_codec(name)
    except LookupError:
        raise NotTextError("this is not a text file (no text encoding fits its bytes)") from None


def _decoding_error(encoding: str, exc: UnicodeDecodeError | ValueError, where: str = "") -> DecodingError:
    position = exc.start if isinstance(exc, UnicodeDecodeError) else None
    where = where or (f" at byte {position}" if position is not None else "")
    return DecodingError(f"the file is not valid {encoding}{where}")


def decode_bytes(data: bytes, encoding: str | None = None) -> tuple[str, str]:
    """(text, encoding name). UTF BOMs first, then UTF-16 without a BOM, then UTF-8 when the
    bytes decode as UTF-8, else charset-normalizer (preferring cp1252 when it is about as good
    as the best guess)."""
    if not data:
        raise EmptyFileError("the file is empty")
    name = _choose_encoding(data, encoding, iter(()))
    return _decoded(data, name, encoding, final=True), name


def _decoded(data: bytes, name: str, chosen: str | None, *, final: bool) -> str:
    """``data`` decoded with codec ``name`` and checked to be text; ``chosen``: the encoding the
    person gave (a failure then names it), None when it was detected."""
    try:
        text = codecs.getincrementaldecoder(name)().decode(data, final=final)
    except (UnicodeDecodeError, ValueError) as exc:
        if not chosen:
            raise NotTextError("this is not a text file (no text encoding fits its bytes)") from None
        raise _decoding_error(chosen, exc) from None
    _check_text(text)
    return text


def _sniff(fh: BinaryIO, encoding: str | None) -> tuple[str, str]:
    """(codec, the first part of the text) of an open file, left at its start again."""
    head = fh.read(_SNIFF_BYTES)
    if not head:
        raise EmptyFileError("the file is empty")
    name = _choose_encoding(head, encoding, iter(lambda: fh.read(_UTF8_STEP), b""))
    fh.seek(0)
    return name, _decoded(head, name, encoding, final=len(head) < _SNIFF_BYTES)


def _reader(source: str | TextIO, delimiter: str):  # noqa: ANN202 - csv's reader type is private
    lines = io.StringIO(source, newline="") if isinstance(source, str) else source
    return csv.reader(lines, delimiter=delimiter, quotechar='"', doublequote=True,
                      skipinitialspace=False, strict=False)


def _sample_rows(text: str, delimiter: str, limit: int = _SAMPLE_RECORDS) -> list[list[str]]:
    rows: list[list[str]] = []
    reader = _reader(text[:_SAMPLE_CHARS], delimiter)
    try:
        for row in reader:
            if row and any(f.strip() for f in row):
                rows.append(row)
                if len(rows) >= limit:
                    break
    except csv.Error:
        pass
    if len(rows) > 1 and len(text) > _SAMPLE_CHARS and len(rows) < limit:
        rows.pop()  # the last one may be cut by the sample's end
    return rows


def detect_delimiter(text: str) -> str:
    """The candidate whose field count is the most consistent over the first records (quotes
    respected); ties go to more fields, then to the order comma, semicolon, tab, pipe."""
    best: tuple[float, int, int] | None = None
    chosen = ","
    for order, delimiter in enumerate(DELIMITERS):
        rows = _sample_rows(text, delimiter)
        if not rows:
            continue
        counts: dict[int, int] = {}
        for row in rows:
            counts[len(row)] = counts.get(len(row), 0) + 1
        mode = max(counts, key=lambda n: (counts[n], n))
        if mode < 2:
            continue
        consistency = counts[mode] / len(rows)
        # The header agrees with the data in a well-formed file: weigh it double.
        header_bonus = 0.5 if len(rows[0]) == mode else 0.0
        score = (consistency + header_bonus / max(len(rows), 1), mode, -order)
        if best is None or score > best:
            best, chosen = score, delimiter
    return chosen


_first = itemgetter(0)


CHUNK = 512  # records per chunk: big enough for C-level map()s, small enough to stay in cache


def _line_breaks(row: list[str]) -> int:
    """Physical line breaks inside a record's (quoted) fields: CRLF, LF or a lone CR."""
    text = "\x00".join(row)  # a separator: a CR ending one field and a LF starting the next are two
    if "\n" not in text and "\r" not in text:
        return 0
    return text.count("\n") + text.count("\r") - text.count("\r\n")


def iter_record_chunks(text: str | TextIO, delimiter: str, size: int = CHUNK, *,
                       encoding: str = "") -> Iterator[list[Record]]:
    """The non-blank records of a text (or of a text stream, read as it goes), a list of at
    most `size` at a time, each with the line where it starts; constant memory. Raises
    CsvFormatError, or DecodingError for a stream that stops being valid `encoding` (when the
    chunk is read)."""
    if isinstance(text, str) and text.startswith("\ufeff"):
        text = text[1:]
    reader = _reader(text, delimiter)
    new, record = tuple.__new__, Record
    line = 1  # where the next row starts
    while True:
        before = reader.line_num
        old_limit = csv.field_size_limit(_FIELD_LIMIT)
        try:
            rows = list(islice(reader, size))
        except csv.Error as exc:
            raise CsvFormatError(f"the file cannot be read as CSV after line {reader.line_num}: {exc}") from None
        except UnicodeDecodeError as exc:
            raise _decoding_error(encoding or exc.encoding, exc, f" after line {reader.line_num}") from None
        finally:
            csv.field_size_limit(old_limit)
        if not rows:
            return
        consumed = reader.line_num - before
        try:
            # One record per line and no blank first field (so no blank row): all in C.
            plain = consumed == len(rows) and all(map(str.strip, map(_first, rows)))
        except IndexError:  # an empty row: a blank line
            plain = False
        if plain:
            yield list(map(new, repeat(record), zip(count(line), rows)))
            line += consumed
            continue
        chunk: list[Record] = []
        for row in rows:
            start = line
            line += 1 + _line_breaks(row)
            if not row:
                continue
            first = row[0]
            if (not first or first.isspace()) and not "".join(row).strip():
                continue  # blank, or only delimiters and spaces
            chunk.append(new(record, (start, row)))
        yield chunk


def split_records(text: str, delimiter: str) -> list[Record]:
    """Every non-blank record with the line where it starts. Raises CsvFormatError."""
    gc_was_enabled = gc.isenabled()
    gc.disable()  # many new lists and tuples, no cycles: the collector would only slow this down
    try:
        return list(chain.from_iterable(iter_record_chunks(text, delimiter)))
    finally:
        if gc_was_enabled:
            gc.enable()


def _is_coordinate_like(text: str) -> bool:
    text = text.strip()
    if not text:
        return False
    if looks_numeric(text):
        return True
    if text[:5].upper() == "POINT":
        return True
    for axis in ("lat", "lng"):
        try:
            parse_coordinate(text, axis)
            return True
        except CoordinateError:
            continue
    return False


def detect_header(rows: Sequence[Sequence[str]]) -> bool:
    """True when the first record is a header: a title we know (name, lat, ...), or no
    number where the records below hold numbers."""
    if not rows:
        return False
    first = rows[0]
    if any(_is_coordinate_like(f) for f in first):
        return False
    if any(is_known_label(f) for f in first):
        return True
    rest = rows[1:]
    if not rest:
        return False
    for index in range(len(first)):
        values = [r[index] for r in rest if index < len(r) and r[index].strip()]
        if values and sum(_is_coordinate_like(v) for v in values) * 2 > len(values):
            return True
    return False


def detect_decimal_comma(rows: Sequence[Sequence[str]], delimiter: str) -> bool:
    """True when numbers in the records use a decimal comma (``35,75936``) more than a point."""
    if delimiter == ",":
        return False
    commas = points = 0
    for row in rows:
        for value in row:
            if _DECIMAL_COMMA_RE.match(value):
                commas += 1
            elif _DECIMAL_POINT_RE.match(value):
                points += 1
    return commas > 0 and commas >= points


def _normalise_delimiter(delimiter: str) -> str:
    named = {"comma": ",", "semicolon": ";", "tab": "\t", "\\t": "\t", "pipe": "|", "space": " "}
    value = named.get(delimiter.strip().lower(), delimiter)
    if len(value) != 1 or value in "\"\r\n":
        raise CsvFormatError(f"'{delimiter}' cannot be a delimiter",
                             "Give one character, or comma, semicolon, tab or pipe.")
    return value


class CsvStream:
    """A file opened for one pass: what was detected (as `parse_csv` would) and its data
    records a chunk at a time (`chunks()`, header excluded), in constant memory."""

    def __init__(self, encoding: str, delimiter: str, has_header: bool, decimal_comma: bool,
                 header: list[str], options: CsvOptions, chunks: Iterator[list[Record]]) -> None:
        self.encoding = encoding
        self.delimiter = delimiter
        self.has_header = has_header
        self.decimal_comma = decimal_comma
        self.header = header
        self.options = options
        self._chunks: Iterator[list[Record]] | None = chunks

    @property
    def delimiter_name(self) -> str:
        return DELIMITER_NAMES.get(self.delimiter, self.delimiter)

    def chunks(self) -> Iterator[list[Record]]:
        """The data records, chunk by chunk. Only once."""
        if self._chunks is None:
            raise RuntimeError("a CsvStream is read only once")
        chunks, self._chunks = self._chunks, None
        return chunks


def open_csv(data: bytes | str | BinaryIO, options: CsvOptions | None = None) -> CsvStream:
    """Decode and detect; the records follow from `CsvStream.chunks()`. Every detected setting
    can be forced through `options`. An open binary file is read as a stream (only its first
    megabyte is held for detection): constant memory whatever its size. Raises the
    CsvImportError subclasses (CsvFormatError and DecodingError may also come while reading
    the chunks)."""
    options = options or CsvOptions()
    source: str | TextIO
    if isinstance(data, str):
        text, encoding = data, "str"
        _check_text(text)
        source = text
    elif isinstance(data, bytes | bytearray):
        text, encoding = decode_bytes(bytes(data), options.encoding)
        source = text
    else:
        encoding, text = _sniff(data, options.encoding)
        source = io.TextIOWrapper(data, encoding=encoding, newline="")
    sep_line = _SEP_LINE_RE.match(text)  # Excel's "sep=;" first line names the delimiter
    if options.delimiter:
        delimiter = _normalise_delimiter(options.delimiter)
    elif sep_line:
        delimiter = sep_line.group(1)
    else:
        delimiter = detect_delimiter(text)
    chunks = iter_record_chunks(source, delimiter, encoding=encoding)
    head: list[list[Record]] = []  # the chunks read for detection, handed back first
    first: list[Record] = []
    for chunk in chunks:
        if sep_line and chunk and chunk[0].line == 1:
            chunk = chunk[1:]  # the sep= line is no record (the lines keep their numbers)
        head.append(chunk)
        first.extend(chunk)
        if len(first) > _SAMPLE_RECORDS:
            break
    if not first:
        raise EmptyFileError("the file is empty")
    sample = [r.fields for r in first[:_SAMPLE_RECORDS]]
    has_header = detect_header(sample) if options.has_header is None else options.has_header
    header: list[str] = []
    if has_header:
        header = [f.strip() for f in first[0].fields]
        index = next(i for i, chunk in enumerate(head) if chunk)  # the chunk holding the header
        head[index] = head[index][1:]
        sample = [r.fields for r in first[1:_SAMPLE_RECORDS + 1]]
    width = max([len(header)] + [len(fields) for fields in sample])
    header += [f"column {i + 1}" for i in range(len(header), width)]
    if options.decimal_comma is None:
        decimal_comma = detect_decimal_comma(sample, delimiter)
    else:
        decimal_comma = options.decimal_comma
    return CsvStream(encoding, delimiter, has_header, decimal_comma, header, options, chain(iter(head), chunks))


def parse_csv(data: bytes | str | BinaryIO, options: CsvOptions | None = None) -> ParsedCsv:
    """Decode and split a whole file. Every detected setting can be forced through `options`.

    Raises EmptyFileError, NotTextError, DecodingError or CsvFormatError (all CsvImportError).
    """
    stream = open_csv(data, options)
    gc_was_enabled = gc.isenabled()
    gc.disable()  # many new lists and tuples, no cycles: the collector would only slow this down
    try:
        records = list(chain.from_iterable(stream.chunks()))
    finally:
        if gc_was_enabled:
            gc.enable()
    return ParsedCsv(encoding=stream.encoding, delimiter=stream.delimiter, has_header=stream.has_header,
                     decimal_comma=stream.decimal_comma, header=stream.header, records=records,
                     options=stream.options)
