#!/usr/bin/env python3
"""Makes anli's embedded compendium fonts: subsets of Noto Serif CJK SC (regular, bold)
and Noto Sans CJK SC (regular, bold), renamed so they never clash with the same fonts
installed on the system.

Rerun it (from the repository root) to make the same files again:

    apt-get install fonts-noto-cjk          # Debian 12: 1:20220127+repack1-1
    pip install fonttools==4.68.0
    python3 themes/default/fonts/subset.py

What each font keeps:
  - every Han character of GB 2312 (Python's gb2312 codec, 6,763 characters) and of the
    通用规范汉字表 (2013, 8,105 characters, tongyong-guifan-2013.txt beside this file),
    where the font has them;
  - every other character the font has (Latin, Greek, Cyrillic, digits, CJK and full-width
    punctuation, symbols, kana, radicals), except Hangul and the other Han characters.
"""

import pathlib
import sys

from fontTools import subset
from fontTools.ttLib import TTCollection

HERE = pathlib.Path(__file__).resolve().parent
SOURCE = pathlib.Path(sys.argv[1] if len(sys.argv) > 1 else "/usr/share/fonts/opentype/noto")

# (source collection, the SC face in it, family, style, file)
FACES = [
    ("NotoSerifCJK-Regular.ttc", "Noto Serif CJK SC", "Anli Serif SC", "Regular"),
    ("NotoSerifCJK-Bold.ttc", "Noto Serif CJK SC", "Anli Serif SC", "Bold"),
    ("NotoSansCJK-Regular.ttc", "Noto Sans CJK SC", "Anli Sans SC", "Regular"),
    ("NotoSansCJK-Bold.ttc", "Noto Sans CJK SC", "Anli Sans SC", "Bold"),
]

HAN_IDEOGRAPHS = [
    (0x3400, 0x4DBF),
    (0x4E00, 0x9FFF),
    (0xF900, 0xFAFF),
    (0x20000, 0x3FFFF),
]
HANGUL = [
    (0x1100, 0x11FF),
    (0x3130, 0x318F),
    (0xA960, 0xA97F),
    (0xAC00, 0xD7FF),
    (0xFFA0, 0xFFDC),
]


def within(c, ranges):
    return any(lo <= c <= hi for lo, hi in ranges)


def gb2312():
    """The Han characters of GB 2312: rows 16-87 of its 94 x 94 table."""
    chars = set()
    for row in range(0xB0, 0xF8):
        for cell in range(0xA1, 0xFF):
            try:
                chars.add(ord(bytes([row, cell]).decode("gb2312")))
            except UnicodeDecodeError:
                pass
    return chars


def tongyong_guifan():
    text = (HERE / "tongyong-guifan-2013.txt").read_text(encoding="utf-8")
    return {ord(line.split("\t")[1]) for line in text.splitlines() if line and not line.startswith("#")}


def wanted(cmap, han):
    return sorted(
        c
        for c in cmap
        if (c in han) or not (within(c, HAN_IDEOGRAPHS) or within(c, HANGUL))
    )


def face(collection, family):
    for font in TTCollection(str(SOURCE / collection), lazy=False).fonts:
        if font["name"].getDebugName(1) == family:
            return font
    raise SystemExit(f"{family} is not in {collection}")


def rename(font, family, style):
    ps = family.replace(" ", "") + "-" + style
    name = font["name"]
    name.names = [n for n in name.names if n.nameID not in (1, 2, 3, 4, 6, 16, 17, 21, 22)]
    version = font["name"].getDebugName(5) or ""
    for platform in [(3, 1, 0x409), (1, 0, 0)]:
        for name_id, value in [
            (1, family),
            (2, style),
            (3, f"{ps};{version.split(';')[0]};anli subset"),
            (4, f"{family} {style}" if style != "Regular" else family),
            (6, ps),
        ]:
            name.setName(value, name_id, *platform)
    cff = font["CFF "].cff
    cff.fontNames[0] = ps
    top = cff.topDictIndex[0]
    top.FullName = f"{family} {style}"
    top.FamilyName = family
    # One subfamily per weight: Typst picks the face by weight, the PDF names it by `ps`.
    font["OS/2"].fsSelection = (font["OS/2"].fsSelection & ~0b1100001) | (
        0b100000 if style == "Bold" else 0b1000000
    )
    font["head"].macStyle = 1 if style == "Bold" else 0


def main():
    han = gb2312() | tongyong_guifan()
    for collection, source_family, family, style in FACES:
        font = face(collection, source_family)
        options = subset.Options()
        options.name_IDs = ["*"]
        options.name_languages = ["*"]
        options.notdef_outline = True
        options.hinting = False
        options.layout_features = ["*"]
        subsetter = subset.Subsetter(options)
        subsetter.populate(unicodes=wanted(font.getBestCmap(), han))
        subsetter.subset(font)
        rename(font, family, style)
        font.recalcTimestamp = False  # the same input gives the same bytes
        out = HERE / (family.replace(" ", "") + "-" + style + ".otf")
        font.save(str(out))
        print(f"{out.name}: {len(font.getBestCmap())} characters, {out.stat().st_size:,} bytes")


if __name__ == "__main__":
    main()
