#pragma once
/// Charts as PNG files, drawn with PLplot's cairo driver: every chart has a title, axis labels and a
/// legend or scale, on a white background. Files are written atomically.

#include <torch/types.h>

#include <filesystem>
#include <string>
#include <vector>

namespace aekit::viz {

/// False when aekit was built without PLplot (AEKIT_WITH_CHARTS=OFF): the chart functions below
/// then throw RuntimeError naming the file, and write_run_plots and the report skip every chart,
/// saying so.
bool charts_available();

/// Title and axis labels of a chart.
struct ChartText {
  std::string title;
  std::string x_label;
  std::string y_label;
};

/// Points coloured by integer label with a legend of `class_names` (label i -> class_names[i], or
/// the number when there is no name). `labels` may be empty (one colour, no legend).
///
/// Example:
///   scatter_chart("latent.png", z1, z2, labels, names, {"Latent space", "z1", "z2"});
void scatter_chart(const std::filesystem::path& path, const std::vector<double>& x,
                   const std::vector<double>& y, const std::vector<int64_t>& labels,
                   const std::vector<std::string>& class_names, const ChartText& text);

/// One line of a line chart.
struct Series {
  std::string name;
  std::vector<double> x;
  std::vector<double> y;
};

/// Lines with a legend.
void line_chart(const std::filesystem::path& path, const std::vector<Series>& series,
                const ChartText& text);

/// A picture (H x W grey or H x W x 3 RGB, values in [0, 1]; row 0 at the top) drawn on axes
/// spanning [x_min, x_max] x [y_min, y_max].
void image_chart(const std::filesystem::path& path, const torch::Tensor& picture,
                 const ChartText& text, double x_min, double x_max, double y_min, double y_max);

}  // namespace aekit::viz
