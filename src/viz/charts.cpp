#include "aekit/viz/charts.h"

#include "aekit/core/error.h"
#include "aekit/core/file_io.h"
#include "aekit/viz/image_grid.h"

#include <algorithm>
#include <cmath>
#include <limits>

#ifdef AEKIT_WITH_CHARTS
#include <plplot/plplot.h>

namespace aekit::viz {

bool charts_available() { return true; }

namespace {

constexpr int kWidth = 900;
constexpr int kHeight = 760;
constexpr int kFirstClassColour = 2;
constexpr int kClassColours = 10;

// cmap0: 0 background (white), 1 axes and text (black), 2..11 Tableau's 10 category colours.
constexpr PLINT kRed[] = {255, 0, 31, 255, 44, 214, 148, 140, 227, 127, 188, 23};
constexpr PLINT kGreen[] = {255, 0, 119, 127, 160, 39, 103, 86, 119, 127, 189, 190};
constexpr PLINT kBlue[] = {255, 0, 180, 14, 44, 40, 189, 75, 194, 127, 34, 207};

/// One PLplot session writing one PNG: begins in the constructor, ends (and commits the file
/// atomically) in finish(); the destructor ends an unfinished session without keeping its file.
class Figure {
 public:
  explicit Figure(const std::filesystem::path& path) : path_(path), tmp_(temporary_path_for(path)) {
    const auto parent = path.parent_path().empty() ? std::filesystem::path(".") : path.parent_path();
    ensure_directory(parent);
    plsdev("pngcairo");
    plsfnam(tmp_.c_str());
    plspage(0, 0, kWidth, kHeight, 0, 0);
    plscmap0(kRed, kGreen, kBlue, 12);
    plinit();
    plschr(0, 1.1);
    open_ = true;
  }
  ~Figure() {
    if (open_) {
      plend();
      std::error_code ignored;
      std::filesystem::remove(tmp_, ignored);
    }
  }
  Figure(const Figure&) = delete;
  Figure& operator=(const Figure&) = delete;

  void finish() {
    plend();
    open_ = false;
    AEKIT_CHECK_INPUT(std::filesystem::exists(tmp_),
                      "{}: the PLplot cairo driver wrote no file (is plplot-driver-cairo installed?)",
                      path_.string());
    commit_file(tmp_, path_);
  }

 private:
  std::filesystem::path path_;
  std::filesystem::path tmp_;
  bool open_ = false;
};

void axes(double x_min, double x_max, double y_min, double y_max, const ChartText& text,
          double right_margin = 0.95) {
  pladv(0);
  plvpor(0.13, right_margin, 0.11, 0.9);
  plwind(x_min, x_max, y_min, y_max);
  plcol0(1);
  plbox("bcnst", 0, 0, "bcnstv", 0, 0);
  pllab(text.x_label.c_str(), text.y_label.c_str(), text.title.c_str());
}

std::pair<double, double> padded_range(const std::vector<double>& values) {
  double low = std::numeric_limits<double>::infinity();
  double high = -low;
  for (const double v : values) {
    if (std::isfinite(v)) {
      low = std::min(low, v);
      high = std::max(high, v);
    }
  }
  if (!std::isfinite(low)) return {0.0, 1.0};
  const double pad = high > low ? 0.05 * (high - low) : 0.5;
  return {low - pad, high + pad};
}

}  // namespace

void scatter_chart(const std::filesystem::path& path, const std::vector<double>& x,
                   const std::vector<double>& y, const std::vector<int64_t>& labels,
                   const std::vector<std::string>& class_names, const ChartText& text) {
  AEKIT_CHECK_INPUT(x.size() == y.size() && (labels.empty() || labels.size() == x.size()),
                    "{}: scatter needs as many y values and labels as x values", path.string());
  Figure figure(path);
  const auto [x_min, x_max] = padded_range(x);
  const auto [y_min, y_max] = padded_range(y);
  const bool legend = !labels.empty();
  axes(x_min, x_max, y_min, y_max, text, legend ? 0.78 : 0.95);
  const int64_t classes = legend ? *std::max_element(labels.begin(), labels.end()) + 1 : 1;
  for (int64_t c = 0; c < classes; ++c) {
    std::vector<PLFLT> xs;
    std::vector<PLFLT> ys;
    for (size_t i = 0; i < x.size(); ++i) {
      if (!legend || labels[i] == c) {
        xs.push_back(x[i]);
        ys.push_back(y[i]);
      }
    }
    plcol0(kFirstClassColour + static_cast<int>(c % kClassColours));
    plssym(0, 0.6);
    plpoin(static_cast<PLINT>(xs.size()), xs.data(), ys.data(), 17);
  }
  if (legend) {
    std::vector<std::string> names;
    for (int64_t c = 0; c < classes; ++c) {
      names.push_back(c < static_cast<int64_t>(class_names.size()) ? class_names[c] : std::to_string(c));
    }
    const auto n = static_cast<size_t>(classes);
    std::vector<const char*> text_ptrs;
    std::vector<const char*> symbols(n, "#(840)");
    for (const auto& name : names) text_ptrs.push_back(name.c_str());
    std::vector<PLINT> options(n, PL_LEGEND_SYMBOL);
    std::vector<PLINT> colours;
    for (size_t c = 0; c < n; ++c) colours.push_back(kFirstClassColour + static_cast<PLINT>(c % kClassColours));
    std::vector<PLINT> text_colours(n, 1);
    std::vector<PLFLT> symbol_scales(n, 1.2);
    std::vector<PLINT> symbol_numbers(n, 1);
    PLFLT width = 0;
    PLFLT height = 0;
    pllegend(&width, &height, PL_LEGEND_BACKGROUND | PL_LEGEND_BOUNDING_BOX,
             PL_POSITION_RIGHT | PL_POSITION_OUTSIDE, 0.02, 0.0, 0.05, 0, 1, 1, 0, 0,
             static_cast<PLINT>(n), options.data(), 1.0, 0.9, 2.0, 0.0, text_colours.data(),
             text_ptrs.data(), nullptr, nullptr, nullptr, nullptr, nullptr, nullptr, nullptr,
             colours.data(), symbol_scales.data(), symbol_numbers.data(), symbols.data());
  }
  figure.finish();
}

void line_chart(const std::filesystem::path& path, const std::vector<Series>& series,
                const ChartText& text) {
  std::vector<double> all_x;
  std::vector<double> all_y;
  for (const auto& s : series) {
    AEKIT_CHECK_INPUT(s.x.size() == s.y.size(), "{}: series '{}' has {} x and {} y values",
                      path.string(), s.name, s.x.size(), s.y.size());
    all_x.insert(all_x.end(), s.x.begin(), s.x.end());
    all_y.insert(all_y.end(), s.y.begin(), s.y.end());
  }
  Figure figure(path);
  const auto [x_min, x_max] = padded_range(all_x);
  const auto [y_min, y_max] = padded_range(all_y);
  axes(x_min, x_max, y_min, y_max, text);
  std::vector<const char*> names;
  std::vector<PLINT> options;
  std::vector<PLINT> colours;
  for (size_t i = 0; i < series.size(); ++i) {
    const PLINT colour = kFirstClassColour + static_cast<PLINT>(i % kClassColours);
    plcol0(colour);
    plwidth(2.0);
    plline(static_cast<PLINT>(series[i].x.size()), series[i].x.data(), series[i].y.data());
    plssym(0, 0.8);
    plpoin(static_cast<PLINT>(series[i].x.size()), series[i].x.data(), series[i].y.data(), 17);
    names.push_back(series[i].name.c_str());
    options.push_back(PL_LEGEND_LINE);
    colours.push_back(colour);
  }
  const auto n = series.size();
  std::vector<PLINT> text_colours(n, 1);
  std::vector<PLINT> styles(n, 1);
  std::vector<PLFLT> widths(n, 2.0);
  PLFLT width = 0;
  PLFLT height = 0;
  plwidth(1.0);
  pllegend(&width, &height, PL_LEGEND_BACKGROUND | PL_LEGEND_BOUNDING_BOX,
           PL_POSITION_TOP | PL_POSITION_RIGHT | PL_POSITION_INSIDE, 0.02, 0.02, 0.1, 0, 1, 1, 0, 0,
           static_cast<PLINT>(n), options.data(), 1.0, 1.0, 2.0, 0.0, text_colours.data(),
           names.data(), nullptr, nullptr, nullptr, nullptr, colours.data(), styles.data(),
           widths.data(), nullptr, nullptr, nullptr, nullptr);
  figure.finish();
}

void image_chart(const std::filesystem::path& path, const torch::Tensor& picture,
                 const ChartText& text, double x_min, double x_max, double y_min, double y_max) {
  const torch::Tensor bytes = picture_levels(picture, path, "image_chart").to(torch::kInt64);
  const bool rgb = bytes.size(2) == 3;
  const int64_t height = bytes.size(0);
  const int64_t width = bytes.size(1);
  // PLplot draws an image through colour map 1: grey pictures through a 256-step grey ramp, RGB
  // ones through a map of exactly the colours they hold (each pixel then names its colour's
  // index, shifted by half a step so that PLplot's rounding lands on it).
  std::vector<PLINT> red;
  std::vector<PLINT> green;
  std::vector<PLINT> blue;
  torch::Tensor index;
  if (rgb) {
    const torch::Tensor packed = (bytes.select(2, 0) * 65536 + bytes.select(2, 1) * 256 +
                                  bytes.select(2, 2)).reshape({-1});
    const auto unique = torch::_unique(packed, /*sorted=*/true, /*return_inverse=*/true);
    const torch::Tensor colours = std::get<0>(unique).contiguous();
    index = std::get<1>(unique).reshape({height, width});
    for (int64_t i = 0; i < colours.numel(); ++i) {
      const int64_t colour = colours.data_ptr<int64_t>()[i];
      red.push_back(static_cast<PLINT>(colour / 65536));
      green.push_back(static_cast<PLINT>((colour / 256) % 256));
      blue.push_back(static_cast<PLINT>(colour % 256));
    }
  } else {
    index = bytes.squeeze(2);
    for (PLINT i = 0; i < 256; ++i) red.push_back(i);
    green = red;
    blue = red;
  }
  const auto colour_count = static_cast<double>(red.size());
  // PLplot indexes images as [x][y] with y upwards: column i, row (height - 1 - j).
  const torch::Tensor by_column =
      index.to(torch::kFloat64).add(0.5).flip({0}).t().contiguous();
  std::vector<const PLFLT*> columns;
  for (int64_t i = 0; i < width; ++i) columns.push_back(by_column.data_ptr<double>() + i * height);
  Figure figure(path);
  plscmap1(red.data(), green.data(), blue.data(), static_cast<PLINT>(red.size()));
  pladv(0);
  // Keep pixels square: the viewport's height/width ratio is the image's.
  plvpas(0.13, 0.95, 0.11, 0.9, static_cast<double>(height) / static_cast<double>(width));
  plwind(x_min, x_max, y_min, y_max);
  plimage(const_cast<PLFLT_MATRIX>(columns.data()), static_cast<PLINT>(width),
          static_cast<PLINT>(height), x_min, x_max, y_min, y_max, 0.0, colour_count, x_min, x_max,
          y_min, y_max);
  plcol0(1);
  // A grid of pictures (no axis labels) gets a plain frame; a map of the latent space gets scales.
  const bool scales = !text.x_label.empty() || !text.y_label.empty();
  plbox(scales ? "bcnst" : "bc", 0, 0, scales ? "bcnstv" : "bc", 0, 0);
  pllab(text.x_label.c_str(), text.y_label.c_str(), text.title.c_str());
  figure.finish();
}

}  // namespace aekit::viz

#else  // built without PLplot

namespace aekit::viz {

bool charts_available() { return false; }

namespace {

[[noreturn]] void no_charts(const std::filesystem::path& path) {
  fail_runtime("{}: this aekit was built without charts (AEKIT_WITH_CHARTS=OFF, no PLplot)", path.string());
}

}  // namespace

void scatter_chart(const std::filesystem::path& path, const std::vector<double>&,
                   const std::vector<double>&, const std::vector<int64_t>&,
                   const std::vector<std::string>&, const ChartText&) {
  no_charts(path);
}

void line_chart(const std::filesystem::path& path, const std::vector<Series>&, const ChartText&) {
  no_charts(path);
}

void image_chart(const std::filesystem::path& path, const torch::Tensor&, const ChartText&, double,
                 double, double, double) {
  no_charts(path);
}

}  // namespace aekit::viz

#endif
