#include "aekit/data/image_folder.h"

#include "aekit/core/error.h"
#include "aekit/core/file_io.h"
#include "aekit/data/npy.h"
#include "aekit/data/image_file.h"

#include <spdlog/spdlog.h>
#include <torch/nn/functional/upsampling.h>

#include <algorithm>
#include <chrono>
#include <cstdlib>
#include <map>

namespace aekit::data {

namespace {

namespace fs = std::filesystem;

std::string lower_extension(const fs::path& path) {
  std::string extension = path.extension().string();
  std::transform(extension.begin(), extension.end(), extension.begin(),
                 [](unsigned char c) { return static_cast<char>(std::tolower(c)); });
  return extension;
}

bool is_image_name(const fs::path& path) {
  const std::string extension = lower_extension(path);
  return extension == ".png" || extension == ".jpg" || extension == ".jpeg";
}

/// The PNG and JPEG files below `folder` (recursively when `recursive`), sorted.
std::vector<fs::path> images_in(const fs::path& folder, bool recursive) {
  std::vector<fs::path> files;
  const auto take = [&files](const fs::directory_entry& entry) {
    if (entry.is_regular_file() && is_image_name(entry.path())) files.push_back(entry.path());
  };
  if (recursive) {
    for (const auto& entry : fs::recursive_directory_iterator(folder)) take(entry);
  } else {
    for (const auto& entry : fs::directory_iterator(folder)) take(entry);
  }
  std::sort(files.begin(), files.end());
  return files;
}

/// FNV-1a, 64 bits: a cache key that stays the same from build to build.
uint64_t fnv1a(const std::string& text) {
  uint64_t hash = 1469598103934665603ull;
  for (const unsigned char c : text) {
    hash ^= c;
    hash *= 1099511628211ull;
  }
  return hash;
}

/// One image as channels x size x size: the shorter side scaled to `size`, the centre kept.
torch::Tensor square(const torch::Tensor& image, int64_t size) {
  const int64_t height = image.size(1);
  const int64_t width = image.size(2);
  if (height == size && width == size) return image;
  const double scale = static_cast<double>(size) / static_cast<double>(std::min(height, width));
  const int64_t new_height = std::max<int64_t>(size, std::llround(height * scale));
  const int64_t new_width = std::max<int64_t>(size, std::llround(width * scale));
  const torch::Tensor resized =
      torch::nn::functional::interpolate(
          image.unsqueeze(0).to(torch::kFloat32),
          torch::nn::functional::InterpolateFuncOptions()
              .size(std::vector<int64_t>{new_height, new_width})
              .mode(torch::kBilinear)
              .align_corners(false)
              .antialias(true))
          .squeeze(0);
  const int64_t top = (new_height - size) / 2;
  const int64_t left = (new_width - size) / 2;
  return resized.slice(1, top, top + size)
      .slice(2, left, left + size)
      .round()
      .clamp(0, 255)
      .to(torch::kUInt8);
}

}  // namespace

fs::path default_cache_dir() {
  if (const char* dir = std::getenv("AEKIT_CACHE_DIR"); dir != nullptr && *dir != '\0') return dir;
  if (const char* dir = std::getenv("XDG_CACHE_HOME"); dir != nullptr && *dir != '\0') {
    return fs::path(dir) / "aekit";
  }
  if (const char* home = std::getenv("HOME"); home != nullptr && *home != '\0') {
    return fs::path(home) / ".cache" / "aekit";
  }
  return {};
}

ImageFolder read_image_folder(const fs::path& folder, const ImageFolderOptions& options) {
  const std::string name = folder.string();
  AEKIT_CHECK_INPUT(fs::is_directory(folder), "{}: expected a folder of images, found {}", name,
                    fs::exists(folder) ? "a file" : "nothing");
  AEKIT_CHECK_INPUT(options.channels == 0 || options.channels == 1 || options.channels == 3,
                    "config key 'data.channels': expected 0 (as the images are), 1 or 3, found {}",
                    options.channels);
  AEKIT_CHECK_INPUT(options.image_size >= 0 && options.image_size <= 4096,
                    "config key 'data.image_size': expected 0 (as stored) to 4096, found {}",
                    options.image_size);
  ImageFolder result;
  // The layout: images at the top, or class folders holding them.
  const std::vector<fs::path> top = images_in(folder, /*recursive=*/false);
  std::vector<fs::path> class_folders;
  for (const auto& entry : fs::directory_iterator(folder)) {
    if (entry.is_directory() && entry.path().filename().string().front() != '.') {
      class_folders.push_back(entry.path());
    }
  }
  std::sort(class_folders.begin(), class_folders.end());
  std::vector<int64_t> labels;
  if (top.empty() && !class_folders.empty()) {
    std::map<std::string, int64_t> known;
    for (size_t i = 0; i < options.known_classes.size(); ++i) {
      known[options.known_classes[i]] = static_cast<int64_t>(i);
    }
    for (const fs::path& class_folder : class_folders) {
      const std::vector<fs::path> files = images_in(class_folder, /*recursive=*/true);
      if (files.empty()) continue;
      const std::string class_name = class_folder.filename().string();
      int64_t label = static_cast<int64_t>(result.class_names.size());
      if (!options.known_classes.empty()) {
        const auto found = known.find(class_name);
        AEKIT_CHECK_INPUT(found != known.end(),
                          "{}: class folder '{}' is not one of the training folder's classes ({})",
                          name, class_name, fmt::join(options.known_classes, ", "));
        label = found->second;
      }
      result.class_names.push_back(class_name);
      for (const fs::path& file : files) {
        result.files.push_back(file);
        labels.push_back(label);
      }
    }
    if (!options.known_classes.empty()) result.class_names = options.known_classes;
  } else {
    bool nested = false;
    for (const fs::path& class_folder : class_folders) {
      nested = nested || !images_in(class_folder, /*recursive=*/true).empty();
    }
    AEKIT_CHECK_INPUT(!nested,
                      "{}: holds images both at its top and in sub-folders; put them all in class "
                      "folders (one per class) or all at the top (no labels)",
                      name);
    result.files = top;
  }
  AEKIT_CHECK_INPUT(!result.files.empty(), "{}: no PNG or JPEG images found", name);
  if (!labels.empty()) result.labels = torch::tensor(labels, torch::kInt64);

  // The cache key: the options and every file's name, size and time.
  std::string listing = fmt::format("aekit image folder 2|{}|{}|", options.channels, options.image_size);
  for (const fs::path& file : result.files) {
    std::error_code error;
    const auto size = fs::file_size(file, error);
    const auto time = fs::last_write_time(file, error).time_since_epoch().count();
    listing += fmt::format("{}|{}|{}\n", file.lexically_relative(folder).string(), size, time);
  }
  fs::path cached;
  if (!options.cache_dir.empty()) {
    cached = options.cache_dir / fmt::format("images-{:016x}.npy", fnv1a(listing));
    std::error_code error;
    if (fs::is_regular_file(cached, error)) {
      try {
        torch::Tensor images = read_npy(cached);
        if (images.scalar_type() == torch::kUInt8 && images.dim() == 4 &&
            images.size(0) == static_cast<int64_t>(result.files.size())) {
          result.images = images;
          result.from_cache = true;
          spdlog::info("{}: {} images from the cache {}", name, images.size(0), cached.string());
          return result;
        }
      } catch (const InputError& e) {
        spdlog::warn("{}: the cache {} is not readable ({}); decoding the images again", name,
                     cached.string(), e.what());
      }
    }
  }

  const auto start = std::chrono::steady_clock::now();
  std::vector<std::string> contents;
  contents.reserve(result.files.size());
  int64_t channels = options.channels;
  for (const fs::path& file : result.files) {
    contents.push_back(read_file(file));
    const ImageInfo info = read_image_info(contents.back(), file);
    if (options.channels == 0 && info.colour) channels = 3;
  }
  if (channels == 0) channels = 1;
  std::vector<torch::Tensor> images;
  images.reserve(result.files.size());
  for (size_t i = 0; i < result.files.size(); ++i) {
    torch::Tensor image = decode_image(contents[i], result.files[i], channels);
    std::string().swap(contents[i]);
    if (options.image_size > 0) {
      image = square(image, options.image_size);
    } else if (!images.empty()) {
      AEKIT_CHECK_INPUT(image.sizes() == images.front().sizes(),
                        "{}: {} x {} pixels, while {} has {} x {}; set data.image_size to bring "
                        "every image to one size",
                        result.files[i].string(), image.size(2), image.size(1),
                        result.files.front().string(), images.front().size(2),
                        images.front().size(1));
    }
    images.push_back(image);
  }
  result.images = torch::stack(images);
  const double seconds =
      std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
  spdlog::info("{}: decoded {} images of {} x {} x {} in {:.1f} s", name, result.images.size(0),
               result.images.size(1), result.images.size(2), result.images.size(3), seconds);
  if (!cached.empty()) {
    try {
      ensure_directory(cached.parent_path());
      write_npy(cached, result.images);
    } catch (const std::exception& e) {
      spdlog::info("{}: not cached ({})", name, e.what());
    }
  }
  return result;
}

}  // namespace aekit::data
