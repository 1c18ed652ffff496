#!/usr/bin/python3
"""Makes test photos as a phone would: a JPEG of a (drawn) workshop with camera noise,
an EXIF orientation and a GPS position in its metadata. Nothing here is a real place
or factory; every picture says 示例图片 (example picture) in its corner.

    benches/photos.py OUT_DIR COUNT [WIDTH HEIGHT [QUALITY]]

Photo i is stored sideways with orientation 6 (turn 90° clockwise to view) when i is
odd, so half of them test the turn. Photos already in OUT_DIR are kept. Needs python3-pil (Debian) and, for the label, a
CJK font (fonts-noto-cjk); without one the label is left out.
"""

import functools
import multiprocessing
import random
import sys
from pathlib import Path

from PIL import Image, ImageDraw, ImageFilter, ImageFont

SCENES = 12
FONT = "/usr/share/fonts/opentype/noto/NotoSansCJK-Regular.ttc"


def scene(width, height, seed):
    rng = random.Random(seed)
    image = Image.new("RGB", (width, height))
    draw = ImageDraw.Draw(image)
    # Walls and floor: a soft gradient, then machines as blocks with arms.
    for y in range(height):
        shade = int(70 + 110 * y / height)
        draw.line([(0, y), (width, y)], fill=(shade - 20, shade, shade + 15))
    floor = int(height * 0.62)
    draw.rectangle([0, floor, width, height], fill=(96, 104, 98))
    for _ in range(6):
        x = rng.randrange(0, width - width // 6)
        w, h = width // rng.randint(7, 12), height // rng.randint(4, 7)
        colour = (rng.randint(180, 240), rng.randint(120, 200), rng.randint(20, 80))
        draw.rectangle([x, floor - h, x + w, floor], fill=colour, outline=(40, 40, 40), width=max(2, width // 800))
        draw.line([(x + w // 2, floor - h), (x + w // 2 + w // 3, floor - h - h // 2), (x + w, floor - h - h // 3)],
                  fill=(230, 110, 20), width=max(3, width // 300))
    draw.rectangle([0, floor + height // 10, width, floor + height // 10 + height // 40], fill=(60, 60, 60))
    image = image.filter(ImageFilter.GaussianBlur(radius=max(1, width // 1500)))
    # Sensor noise, as photos have: it is what makes their files large.
    noise = Image.effect_noise((width, height), 18).convert("RGB")
    image = Image.blend(image, noise, 0.12)
    try:
        font = ImageFont.truetype(FONT, max(16, height // 18))
        ImageDraw.Draw(image).text((width // 40, height // 40), "示例图片", font=font, fill=(255, 255, 255))
    except OSError:
        pass
    return image


def exif(orientation):
    data = Image.Exif()
    data[0x0112] = orientation
    data[0x010F] = "ExampleCam"
    # GPS IFD: 31°N 121°E, a made-up position that must never be published.
    data[0x8825] = {1: "N", 2: (31.0, 12.0, 34.0), 3: "E", 4: (121.0, 28.0, 11.0)}
    return data


@functools.lru_cache(maxsize=SCENES)
def base(width, height, seed):
    return scene(width, height, seed)


def make(job):
    out, i, width, height, quality = job
    path = out / f"photo-{i:04}.jpg"
    if path.exists():
        return
    # Drawing a scene takes seconds; a photo is one of a few scenes with its own number
    # and a crate of its own, which makes its bytes (and so its cache key) its own.
    picture = base(width, height, i % SCENES).copy()
    draw = ImageDraw.Draw(picture)
    rng = random.Random(i)
    x, y = rng.randrange(width // 2), rng.randrange(height // 2, height - height // 8)
    draw.rectangle([x, y, x + width // 12, y + height // 12], fill=(rng.randrange(256), 90, 60), outline=(30, 30, 30), width=4)
    try:
        font = ImageFont.truetype(FONT, max(16, height // 30))
        draw.text((width - width // 6, height - height // 15), f"No. {i}", font=font, fill=(255, 255, 255))
    except OSError:
        pass
    orientation = 1
    if i % 2:
        # Stored as a camera held upright stores it: turned, with orientation 6.
        picture, orientation = picture.transpose(Image.Transpose.ROTATE_90), 6
    picture.save(path.with_suffix(".tmp"), "JPEG", quality=quality, exif=exif(orientation))
    path.with_suffix(".tmp").rename(path)


def main():
    out, count = Path(sys.argv[1]), int(sys.argv[2])
    width, height = (int(sys.argv[3]), int(sys.argv[4])) if len(sys.argv) > 4 else (4000, 3000)
    quality = int(sys.argv[5]) if len(sys.argv) > 5 else 90
    out.mkdir(parents=True, exist_ok=True)
    # One process per core; photos already there are kept, so a second run is quick.
    with multiprocessing.Pool() as pool:
        jobs = [(out, i, width, height, quality) for i in range(count)]
        pool.map(make, jobs, chunksize=max(1, count // (4 * multiprocessing.cpu_count())))


if __name__ == "__main__":
    main()
