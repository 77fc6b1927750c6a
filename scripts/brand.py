"""Draw the integration's brand images (original artwork) into custom_components/asic_miner/brand/.

An ASIC chip seen from above, pins on every side, with a lightning bolt on its die:
a miner turns electricity into hashes. Drawn at four times the size and scaled down,
so edges are smooth without an SVG renderer. Rerun after changing the design:

    .venv/bin/python scripts/brand.py
"""

from __future__ import annotations

from pathlib import Path

from PIL import Image, ImageDraw, ImageFont

OUT = Path(__file__).resolve().parent.parent / "custom_components" / "asic_miner" / "brand"
ORANGE = (247, 147, 26, 255)
LIGHT = {"body": (38, 50, 56, 255), "pins": (120, 144, 156, 255), "die": (69, 90, 100, 255)}
DARK = {"body": (207, 216, 220, 255), "pins": (144, 164, 174, 255), "die": (176, 190, 197, 255)}
SCALE = 4


def chip(size: int, palette: dict[str, tuple[int, int, int, int]]) -> Image.Image:
    big = size * SCALE
    img = Image.new("RGBA", (big, big), (0, 0, 0, 0))
    draw = ImageDraw.Draw(img)
    margin = big * 0.16
    body = (margin, margin, big - margin, big - margin)
    pin_len = margin * 0.75
    pin_w = big * 0.045
    pins = 5
    span = big - 2 * margin
    for i in range(pins):
        center = margin + span * (i + 0.5) / pins
        for box in (
            (center - pin_w / 2, margin - pin_len, center + pin_w / 2, margin),
            (center - pin_w / 2, big - margin, center + pin_w / 2, big - margin + pin_len),
            (margin - pin_len, center - pin_w / 2, margin, center + pin_w / 2),
            (big - margin, center - pin_w / 2, big - margin + pin_len, center + pin_w / 2),
        ):
            draw.rounded_rectangle(box, radius=pin_w / 3, fill=palette["pins"])
    draw.rounded_rectangle(body, radius=big * 0.07, fill=palette["body"])
    inset = big * 0.27
    draw.rounded_rectangle(
        (inset, inset, big - inset, big - inset), radius=big * 0.04, fill=palette["die"]
    )
    # The bolt, in die coordinates 0..1.
    bolt = [
        (0.58, 0.08),
        (0.22, 0.56),
        (0.46, 0.56),
        (0.36, 0.92),
        (0.78, 0.40),
        (0.53, 0.40),
        (0.66, 0.08),
    ]
    die = big - 2 * inset
    draw.polygon([(inset + x * die, inset + y * die) for x, y in bolt], fill=ORANGE)
    return img.resize((size, size), Image.Resampling.LANCZOS)


def logo(
    height: int, palette: dict[str, tuple[int, int, int, int]], text_fill: tuple[int, int, int, int]
) -> Image.Image:
    icon = chip(height, palette)
    font = ImageFont.load_default(size=int(height * 0.42))
    text = "ASIC Miner"
    probe = ImageDraw.Draw(Image.new("RGBA", (1, 1)))
    left, top, right, bottom = probe.textbbox((0, 0), text, font=font)
    gap = int(height * 0.12)
    img = Image.new("RGBA", (height + gap + right - left, height), (0, 0, 0, 0))
    img.alpha_composite(icon, (0, 0))
    ImageDraw.Draw(img).text(
        (height + gap - left, (height - (bottom - top)) // 2 - top), text, font=font, fill=text_fill
    )
    return img


def main() -> None:
    OUT.mkdir(parents=True, exist_ok=True)
    for prefix, palette, text in (
        ("", LIGHT, LIGHT["body"]),
        ("dark_", DARK, (236, 239, 241, 255)),
    ):
        chip(256, palette).save(OUT / f"{prefix}icon.png", optimize=True)
        chip(512, palette).save(OUT / f"{prefix}icon@2x.png", optimize=True)
        logo(128, palette, text).save(OUT / f"{prefix}logo.png", optimize=True)
        logo(256, palette, text).save(OUT / f"{prefix}logo@2x.png", optimize=True)
    print(f"brand images written to {OUT}")


if __name__ == "__main__":
    main()
