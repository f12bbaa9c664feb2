"""The licences About shows (app.licenses): Cabinet's own, and every package it runs on."""

from __future__ import annotations

from app import version
from app.licenses import bundled_notices, cabinet_notice, third_party_notices


def test_cabinet_is_mit() -> None:
    notice = cabinet_notice()
    assert (notice.name, notice.version, notice.license) == ("cabinet", version(), "MIT")


def test_every_package_cabinet_runs_on_is_listed_with_its_licence() -> None:
    notices = {n.name.lower().replace("_", "-"): n for n in third_party_notices()}
    assert {"pyside6-essentials", "shiboken6", "httpx", "qasync", "keyring", "platformdirs", "starlette",
            "uvicorn", "tenacity", "charset-normalizer"} <= set(notices)
    assert "LGPL" in notices["pyside6-essentials"].license  # "LGPL" in 6.8 metadata, "LGPL-3.0-only" later
    httpx = notices["httpx"]
    assert httpx.files and "Copyright" in httpx.texts()
    assert "pytest" not in notices and "ruff" not in notices  # test tools are not what Cabinet runs on


def test_a_checkout_has_no_bundled_notices() -> None:
    # The interpreter's, Qt's and the system libraries' texts are written into the bundle only.
    assert bundled_notices() == []
