"""Generated fashion-like images for the demo catalogue and the demo model.

Each style gets its own palette, garment silhouette and fabric pattern so that a small model can
learn them in a few CPU minutes. Every image carries a visible "GENERATED" stamp: it is never
passed off as a photo.
"""

import random
from pathlib import Path

from PIL import Image, ImageDraw, ImageFilter

from mlcore.styles import STYLES

_PATTERNS = ("solid", "stripes", "checks", "dots", "zigzag", "blocks")
_SILHOUETTES = ("dress", "shirt", "coat", "pants", "skirt")


def _style_look(index: int) -> dict:
    rng = random.Random(1000 + index)
    return {
        "base": tuple(rng.randrange(30, 230) for _ in range(3)),
        "accent": tuple(rng.randrange(0, 256) for _ in range(3)),
        "background": tuple(rng.randrange(180, 256) for _ in range(3)),
        "pattern": _PATTERNS[index % len(_PATTERNS)],
        "silhouette": _SILHOUETTES[(index // len(_PATTERNS)) % len(_SILHOUETTES)],
        "scale": 8 + (index * 7) % 20,
    }


LOOKS = {style.code: _style_look(i) for i, style in enumerate(STYLES)}


def _jitter(color, rng, amount=25):
    return tuple(max(0, min(255, c + rng.randint(-amount, amount))) for c in color)


def _silhouette(kind: str, w: int, h: int, rng: random.Random) -> list[tuple[int, int]]:
    cx = w // 2 + rng.randint(-w // 12, w // 12)
    top = int(h * 0.12) + rng.randint(-5, 5)
    if kind == "dress":
        return [
            (cx - w // 8, top),
            (cx + w // 8, top),
            (cx + w // 5, int(h * 0.45)),
            (cx + w // 3, int(h * 0.9)),
            (cx - w // 3, int(h * 0.9)),
            (cx - w // 5, int(h * 0.45)),
        ]
    if kind == "shirt":
        return [
            (cx - w // 5, top),
            (cx + w // 5, top),
            (cx + w // 2.5, int(h * 0.3)),
            (cx + w // 4, int(h * 0.35)),
            (cx + w // 4, int(h * 0.7)),
            (cx - w // 4, int(h * 0.7)),
            (cx - w // 4, int(h * 0.35)),
            (cx - w // 2.5, int(h * 0.3)),
        ]
    if kind == "coat":
        return [
            (cx - w // 4, top),
            (cx + w // 4, top),
            (cx + w // 2.6, int(h * 0.92)),
            (cx - w // 2.6, int(h * 0.92)),
        ]
    if kind == "pants":
        return [
            (cx - w // 5, top),
            (cx + w // 5, top),
            (cx + w // 4, int(h * 0.92)),
            (cx + w // 24, int(h * 0.92)),
            (cx, int(h * 0.4)),
            (cx - w // 24, int(h * 0.92)),
            (cx - w // 4, int(h * 0.92)),
        ]
    return [
        (cx - w // 6, top + h // 5),
        (cx + w // 6, top + h // 5),
        (cx + w // 3, int(h * 0.8)),
        (cx - w // 3, int(h * 0.8)),
    ]


def _pattern(kind: str, size: tuple[int, int], base, accent, scale: int, rng) -> Image.Image:
    w, h = size
    tile = Image.new("RGB", size, base)
    draw = ImageDraw.Draw(tile)
    s = max(4, scale + rng.randint(-2, 2))
    if kind == "stripes":
        for x in range(-h, w, s * 2):
            draw.line([(x, 0), (x + h, h)], fill=accent, width=s // 2)
    elif kind == "checks":
        for y in range(0, h, s * 2):
            for x in range(0, w, s * 2):
                draw.rectangle([x, y, x + s, y + s], fill=accent)
    elif kind == "dots":
        for y in range(0, h, s * 2):
            for x in range((y // (s * 2)) % 2 * s, w, s * 2):
                draw.ellipse([x, y, x + s, y + s], fill=accent)
    elif kind == "zigzag":
        for y in range(0, h, s * 2):
            points = [(x, y + (s if (x // s) % 2 else 0)) for x in range(0, w + s, s)]
            draw.line(points, fill=accent, width=max(2, s // 3))
    elif kind == "blocks":
        for _ in range(6):
            x, y = rng.randrange(w), rng.randrange(h)
            draw.rectangle([x, y, x + 3 * s, y + 2 * s], fill=accent)
    return tile


def demo_image_draw(style_code: str, seed: int, size: tuple[int, int] = (240, 300)) -> Image.Image:
    """One generated outfit image of the given style, reproducible from its seed."""
    look = LOOKS[style_code]
    rng = random.Random(f"{style_code}:{seed}")
    w, h = size
    image = Image.new("RGB", size, _jitter(look["background"], rng, 20))
    fabric = _pattern(
        look["pattern"],
        size,
        _jitter(look["base"], rng),
        _jitter(look["accent"], rng),
        look["scale"],
        rng,
    )
    mask = Image.new("L", size, 0)
    ImageDraw.Draw(mask).polygon(_silhouette(look["silhouette"], w, h, rng), fill=255)
    image.paste(fabric, mask=mask)
    draw = ImageDraw.Draw(image)
    # head and shoulders of a stylised figure, so the frame reads as an outfit photo
    cx = w // 2
    draw.ellipse([cx - w // 14, 2, cx + w // 14, int(h * 0.11)], fill=(224, 190, 160))
    draw.rectangle([0, h - 16, w, h], fill=(30, 30, 30))
    draw.text((6, h - 14), "GENERATED DEMO", fill=(255, 255, 255))
    if rng.random() < 0.3:
        image = image.filter(ImageFilter.GaussianBlur(rng.uniform(0.3, 1.2)))
    return image


def demo_training_set_write(
    root: str | Path, *, per_style: int = 24, seed: int = 0, size: tuple[int, int] = (160, 200)
) -> Path:
    """Write `<root>/<style code>/<n>.jpg` for every style (the demo model's training data)."""
    root = Path(root)
    for style in STYLES:
        folder = root / style.code
        folder.mkdir(parents=True, exist_ok=True)
        for n in range(per_style):
            path = folder / f"{n:03d}.jpg"
            if not path.exists():
                demo_image_draw(style.code, seed * 100_000 + n, size).save(path, quality=88)
    return root
