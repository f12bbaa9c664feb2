"""Typed errors of the CSV import engine: each says what happened and what to do."""

from __future__ import annotations


class CsvImportError(ValueError):
    """A file that cannot be imported as a whole (a bad row is not an error: it is listed).

    Not a subclass of app.core.errors.CabinetError on purpose: that module imports `typing`,
    which the light `cabinet import --dry-run` start-up avoids; `user_message()` is the same.
    """

    hint: str = ""

    def __init__(self, message: str, hint: str | None = None) -> None:
        super().__init__(message)
        self.message = message
        if hint is not None:
            self.hint = hint

    def user_message(self) -> str:
        return f"{self.message}. {self.hint}" if self.hint else self.message


class EmptyFileError(CsvImportError):
    """The file has no bytes, or nothing but blank lines."""

    hint = "Choose a file that contains a header and at least one row."


class NotAFileError(CsvImportError):
    """The path names a folder, a pipe, a device or a socket: only regular files are read."""

    hint = "Give the path of a CSV, TSV or TXT file."


class NotTextError(CsvImportError):
    """The bytes are not text in any encoding we can recognise (an image, a spreadsheet...)."""

    hint = "Export the sheet as CSV (comma, semicolon or tab separated) and import that file."


class DecodingError(CsvImportError):
    """The encoding the person chose does not decode the file, or is unknown."""

    hint = "Choose another encoding, or leave it on automatic detection."


class CsvFormatError(CsvImportError):
    """The text cannot be split into records (e.g. a field larger than the limit)."""

    hint = "Check the delimiter and the quotes around the line given, or choose another delimiter."


class MappingError(CsvImportError):
    """No usable name or coordinate columns, or an override names a column that does not exist."""

    hint = "Choose the name column and either the latitude and longitude columns or a WKT column."
