#!/usr/bin/env python3
"""How well a run on the built-in `shapes` set keeps colours: compares the colour of each test
reconstruction (its brightest pixel) with the colour the set drew for that image.

  aekit reconstruct RUN -n 1000 --out recon.npy
  bench/shapes_colour_error.py recon.npy

The test split's colours are drawn again as src/data/synthetic.cpp draws them: one row of seven
uniforms per image from torch's CPU generator seeded 2 (hue, saturation in [0.5, 1], value in
[0.6, 1] are columns 4 to 6), then HSV to RGB. Prints the mean absolute error per channel and the
correlation of each channel.
"""
import sys

import numpy as np
import torch


def drawn_colours(n):
    draws = torch.rand((n, 7), generator=torch.Generator().manual_seed(2))
    hue, saturation, value = draws[:, 4], draws[:, 5] * 0.5 + 0.5, draws[:, 6] * 0.4 + 0.6
    channels = []
    for offset in (5.0, 3.0, 1.0):
        k = torch.fmod(hue * 6 + offset, 6)
        channels.append(value - value * saturation * torch.clamp(torch.minimum(k, 4 - k), 0, 1))
    return torch.stack(channels, 1).numpy()


def main():
    if len(sys.argv) != 2:
        sys.exit(__doc__)
    recon = np.load(sys.argv[1])  # N x 3 x S x S, the first N test images of `shapes`
    if recon.ndim != 4 or recon.shape[1] != 3:
        sys.exit(f"{sys.argv[1]}: expected N x 3 x S x S reconstructions, found {recon.shape}")
    n = recon.shape[0]
    truth = drawn_colours(n)
    pixels = recon.reshape(n, 3, -1)
    brightest = pixels.max(1).argmax(1)
    found = pixels[np.arange(n), :, brightest]
    error = np.abs(found - truth).mean()
    correlation = [np.corrcoef(found[:, c], truth[:, c])[0, 1] for c in range(3)]
    print(f"{n} images: colour error {error:.4f} per channel; correlation red {correlation[0]:.3f}, "
          f"green {correlation[1]:.3f}, blue {correlation[2]:.3f}")


if __name__ == "__main__":
    main()
