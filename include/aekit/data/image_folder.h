#pragma once
/// A folder of images as a dataset (data.format "images"): either one sub-folder per class
/// (torchvision's ImageFolder layout: `shoes/a.png`, `shirts/b.png`; classes in sorted order, files
/// found at any depth below their class folder) or the images side by side without labels. Files
/// named *.png, *.jpg and *.jpeg (any case) are read, each by what its bytes hold (data/png.h,
/// data/jpeg.h); other files are passed over.
///
/// Every image becomes `channels` x S x S: scaled so that its shorter side is S (a bilinear filter
/// with antialiasing, torch's interpolate) and cut to its centre square, then rounded to 8 bits.
/// The decoded folder is cached, keyed by the file list with each file's size and time and by the
/// options, so a second run reads one array instead of every image.

#include <torch/types.h>

#include <filesystem>
#include <string>
#include <vector>

namespace aekit::data {

struct ImageFolderOptions {
  /// 1 (grey), 3 (RGB), or 0: RGB when any image has colour, else grey.
  int64_t channels = 0;
  /// The side S of the square every image becomes; 0: the images' own size (they must all have
  /// the same, square or not).
  int64_t image_size = 0;
  /// Where decoded folders are kept; empty: no cache.
  std::filesystem::path cache_dir;
  /// A training folder's classes, when this folder must use them (its class folders must be among
  /// them); empty: the folder's own.
  std::vector<std::string> known_classes;
};

struct ImageFolder {
  torch::Tensor images;                  ///< N x C x H x W uint8
  torch::Tensor labels;                  ///< N int64 (class folders), or undefined (flat folder)
  std::vector<std::string> class_names;  ///< the class folders' names, sorted
  std::vector<std::filesystem::path> files;  ///< the images, in the order of `images`
  bool from_cache = false;
};

/// Reads the images of `folder`. Throws InputError naming the folder or the file for: no such
/// folder; no image in it; images both at its top and in sub-folders; an image that cannot be
/// read (data/image_file.h); images of different sizes without image_size; a class
/// folder not among known_classes.
///
/// Example:
///   auto folder = aekit::data::read_image_folder("photos/", {.channels = 3, .image_size = 64});
ImageFolder read_image_folder(const std::filesystem::path& folder,
                              const ImageFolderOptions& options);

/// The cache folder aekit uses by default: $AEKIT_CACHE_DIR, else $XDG_CACHE_HOME/aekit, else
/// $HOME/.cache/aekit; empty when none is set.
std::filesystem::path default_cache_dir();

}  // namespace aekit::data
