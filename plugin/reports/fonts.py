"""A CJK web font embedded in HTML reports, cut down to the characters the report uses.

A self-contained report must show Chinese on a machine without CJK fonts (a fresh Linux box,
headless Chromium). The full Noto Sans CJK face is 16 MB; a subset of the few hundred characters
in a report is ~200 KB, which is acceptable in a file people download and mail around.
"""

from __future__ import annotations

import base64
import functools
import io
import logging
from pathlib import Path

log = logging.getLogger(__name__)
FAMILY = "LiumaiCJK"


def _font_path() -> Path | None:
    try:
        import mplfonts
    except ImportError:
        return None
    path = Path(mplfonts.__file__).parent / "fonts" / "NotoSansCJKsc-Regular.otf"
    return path if path.exists() else None


def cjk_font_face(text: str) -> str:
    """A CSS @font-face rule with a subset covering `text`'s non-ASCII characters ('' if none/unavailable)."""
    chars = tuple(sorted({ord(c) for c in text if ord(c) > 0x2E7F}))  # CJK and full-width ranges onwards
    if not chars:
        return ""
    return _font_face(chars)


@functools.lru_cache(maxsize=16)
def _font_face(chars: tuple[int, ...]) -> str:
    """Subsetting reads the 16 MB face and takes seconds: once per set of characters in a process.

    The default layout features (not all of them: vertical forms and alternates pull in many glyphs)
    and no hinting (browsers ignore CFF hints at report sizes) make the cut about twice as fast and smaller.
    """
    path = _font_path()
    if path is None:
        return ""
    try:
        from fontTools import subset
        from fontTools.ttLib import TTFont

        opts = subset.Options()
        opts.flavor = "woff"
        opts.hinting = False
        opts.notdef_outline = True
        font = TTFont(str(path), lazy=True)
        sub = subset.Subsetter(options=opts)
        sub.populate(unicodes=list(chars))
        sub.subset(font)
        buf = io.BytesIO()
        font.flavor = "woff"
        font.save(buf)
    except Exception as exc:  # a report without the embedded font still opens everywhere with fonts
        log.warning("could not embed a CJK font subset: %s", exc)
        return ""
    data = base64.b64encode(buf.getvalue()).decode("ascii")
    return f'@font-face{{font-family:"{FAMILY}";src:url(data:font/woff;base64,{data}) format("woff");}}'
