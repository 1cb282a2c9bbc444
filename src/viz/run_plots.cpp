#include "aekit/viz/run_plots.h"

#include "aekit/core/file_io.h"
#include "aekit/eval/evaluate.h"
#include "aekit/eval/latent_walk.h"
#include "aekit/viz/charts.h"
#include "aekit/viz/image_grid.h"

#include <torch/types.h>
#include <torch/utils.h>

#include <cmath>

namespace aekit::viz {

torch::Tensor decode_manifold(models::AutoencoderImpl& model, int64_t n, const torch::Device& device) {
  torch::NoGradGuard no_grad;
  const torch::Tensor axis = eval::normal_quantile_grid(n).to(torch::kFloat32);
  // Row r shows z2 = axis[n - 1 - r] (top row largest), column c shows z1 = axis[c].
  const torch::Tensor z1 = axis.repeat({n});
  const torch::Tensor z2 = axis.flip({0}).repeat_interleave(n);
  const torch::Tensor z = torch::stack({z1, z2}, 1).to(device);
  return tile_images(model.decode(z), /*columns=*/n, /*padding=*/0);
}

torch::Tensor codes_2d(const torch::Tensor& codes) {
  if (codes.size(1) == 1) return torch::cat({codes, torch::zeros_like(codes)}, 1);
  if (codes.size(1) == 2) return codes;
  const torch::Tensor centred = codes - codes.mean(0, /*keepdim=*/true);
  const auto svd = torch::linalg_svd(centred.to(torch::kFloat64), /*full_matrices=*/false);
  const torch::Tensor vh = std::get<2>(svd);
  return centred.to(torch::kFloat64).matmul(vh.slice(0, 0, 2).t()).to(codes.scalar_type());
}

namespace {

std::vector<double> column(const torch::Tensor& matrix, int64_t c) {
  const torch::Tensor values = matrix.select(1, c).to(torch::kCPU, torch::kFloat64).contiguous();
  return {values.data_ptr<double>(), values.data_ptr<double>() + values.numel()};
}

/// Conditional models: decode everything that follows under class `label`.
void condition_on_class(models::AutoencoderImpl& model, int64_t label) {
  if (model.classes() > 0) model.set_condition(torch::full({1}, label, torch::kInt64));
}

/// The class a conditional model draws figures under when one class is shown: the first test
/// sample's (0 without labels).
int64_t first_class(const data::Dataset& test) {
  return test.has_labels() && test.size() > 0 ? test.labels[0].item<int64_t>() : 0;
}

std::vector<double> history_values(const Json& history, const std::string& key) {
  std::vector<double> values;
  for (const auto& epoch : history) {
    if (epoch.contains(key)) values.push_back(epoch[key].get<double>());
  }
  return values;
}

}  // namespace

PlotReport write_run_plots(models::AutoencoderImpl& model, const data::Dataset& test,
                           const std::vector<std::string>& class_names, const Json& history,
                           const std::filesystem::path& out_dir, const PlotOptions& options,
                           const torch::Device& device) {
  PlotReport report;
  if (!charts_available()) {
    report.skipped.push_back("every chart: this aekit was built without charts (AEKIT_WITH_CHARTS=OFF)");
    return report;
  }
  torch::NoGradGuard no_grad;
  model.eval();
  ensure_directory(out_dir);
  const bool images = image_shape(test.sample_shape()).is_image();
  const int64_t latent = model.latent_dim();

  // Latent space, coloured by label.
  const data::Dataset shown = test.slice(0, std::min(options.scatter_points, test.size()));
  if (shown.size() > 0) {
    const torch::Tensor projected =
        codes_2d(eval::encode_all(model, shown.features, device, shown.labels));
    std::vector<int64_t> labels;
    if (shown.has_labels()) {
      const torch::Tensor l = shown.labels.to(torch::kInt64).contiguous();
      labels.assign(l.data_ptr<int64_t>(), l.data_ptr<int64_t>() + l.numel());
    }
    const bool pca = latent > 2;
    const auto path = out_dir / "latent_scatter.png";
    scatter_chart(path, column(projected, 0), column(projected, 1), labels, class_names,
                  {fmt::format("Test set in the {}-D latent space{}", latent,
                               pca ? " (PCA projection)" : ""),
                   pca ? "principal component 1" : "z1",
                   pca ? "principal component 2" : (latent == 1 ? "(none)" : "z2")});
    report.written.push_back(path);
  }

  if (model.is_generative() && latent == 2 && images) {
    const auto path = out_dir / "manifold.png";
    const double edge = eval::normal_quantile_grid(2)[1].item<double>();
    const int64_t label = first_class(test);
    condition_on_class(model, label);
    const std::string title =
        model.classes() == 0
            ? fmt::format("Latent manifold: {0}x{0} decoded points at the normal inverse CDF",
                          options.manifold_size)
            : fmt::format("Latent manifold of class {}, {}x{} points",
                          label < static_cast<int64_t>(class_names.size())
                              ? class_names[static_cast<size_t>(label)]
                              : std::to_string(label),
                          options.manifold_size, options.manifold_size);
    image_chart(path, decode_manifold(model, options.manifold_size, device),
                {title,
                 "z1", "z2"},
                -edge, edge, -edge, edge);
    report.written.push_back(path);
  } else {
    report.skipped.push_back("manifold.png: needs a generative model with a 2-D latent of images");
  }

  if (images && test.size() > 0) {
    const int64_t n = std::min(options.reconstructions, test.size());
    const torch::Tensor originals = test.features.slice(0, 0, n);
    model.set_condition(test.slice(0, n).labels);
    const torch::Tensor reconstructed = model.decode(model.encode(originals.to(device))).to(torch::kCPU);
    const int64_t columns = std::min<int64_t>(n, 8);
    std::vector<torch::Tensor> rows;
    for (int64_t begin = 0; begin < n; begin += columns) {
      const int64_t end = std::min(begin + columns, n);
      rows.push_back(originals.slice(0, begin, end));
      rows.push_back(reconstructed.slice(0, begin, end));
    }
    const auto path = out_dir / "reconstructions.png";
    const torch::Tensor grid = tile_images(torch::cat(rows), columns);
    image_chart(path, grid, {"Test images (rows 1, 3, ...) above their reconstructions", "", ""}, 0,
                static_cast<double>(grid.size(1)), 0, static_cast<double>(grid.size(0)));
    report.written.push_back(path);
  } else {
    report.skipped.push_back("reconstructions.png: the samples are not images");
  }

  if (model.is_generative() && images && model.classes() > 0) {
    // One row per class, each column one draw of z decoded under every class: the class sets
    // what is drawn, z the style.
    const int64_t columns = 8;
    const int64_t classes = model.classes();
    const torch::Tensor z = torch::randn({columns, latent}).repeat({classes, 1}).to(device);
    model.set_condition(torch::arange(classes, torch::kInt64).repeat_interleave(columns));
    const torch::Tensor grid = tile_images(model.decode(z), columns);
    const auto path = out_dir / "samples.png";
    image_chart(path, grid,
                {"Prior samples: a class per row, a code per column",
                 "", ""},
                0, static_cast<double>(grid.size(1)), 0, static_cast<double>(grid.size(0)));
    report.written.push_back(path);
  } else if (model.is_generative() && images) {
    const torch::Tensor z = torch::randn({options.samples, latent}).to(device);
    const torch::Tensor grid = tile_images(model.decode(z), /*columns=*/8);
    const auto path = out_dir / "samples.png";
    image_chart(path, grid, {fmt::format("{} samples from the prior N(0, I)", options.samples), "", ""},
                0, static_cast<double>(grid.size(1)), 0, static_cast<double>(grid.size(0)));
    report.written.push_back(path);
  } else {
    report.skipped.push_back("samples.png: needs a generative model of images");
  }

  if (images && test.size() >= 2) {
    const int64_t pairs = std::min(options.interpolation_pairs, test.size() / 2);
    const torch::Tensor originals = test.features.slice(0, 0, 2 * pairs);
    const data::Dataset ends = test.slice(0, 2 * pairs);
    const torch::Tensor codes = eval::encode_all(model, originals, device, ends.labels);
    std::vector<torch::Tensor> rows;
    for (int64_t p = 0; p < pairs; ++p) {
      const torch::Tensor path = eval::interpolate_codes(codes[2 * p], codes[2 * p + 1],
                                                         options.walk_steps, eval::PathMode::kLerp);
      // A conditional model walks under the first end's class.
      if (model.classes() > 0) condition_on_class(model, ends.labels[2 * p].item<int64_t>());
      rows.push_back(originals.slice(0, 2 * p, 2 * p + 1));
      rows.push_back(eval::decode_all(model, path, device));
      rows.push_back(originals.slice(0, 2 * p + 1, 2 * p + 2));
    }
    const torch::Tensor grid = tile_images(torch::cat(rows), options.walk_steps + 2);
    const auto path = out_dir / "interpolation.png";
    image_chart(path, grid,
                {"Linear paths between the codes of test images (the originals at both ends)", "", ""},
                0, static_cast<double>(grid.size(1)), 0, static_cast<double>(grid.size(0)));
    report.written.push_back(path);

    const data::Dataset reference = test.slice(0, std::min<int64_t>(1000, test.size()));
    const eval::Traversal plan =
        eval::plan_traversal(model, reference, {}, {}, options.walk_steps, device);
    const int64_t shown_rows = std::min<int64_t>(options.traversal_rows, latent);
    condition_on_class(model, first_class(test));
    const torch::Tensor traversed =
        eval::decode_all(model, plan.codes.slice(0, 0, shown_rows * options.walk_steps), device);
    const torch::Tensor traversal = tile_images(traversed, options.walk_steps);
    const auto traversal_path = out_dir / "traversal.png";
    const std::vector<int64_t> dims(plan.dims.begin(), plan.dims.begin() + shown_rows);
    image_chart(traversal_path, traversal,
                {fmt::format("Latent traversal: rows sweep dimensions {} (0-based; by {})",
                             fmt::join(dims, ", "), plan.order_name),
                 "", ""},
                0, static_cast<double>(traversal.size(1)), 0, static_cast<double>(traversal.size(0)));
    report.written.push_back(traversal_path);
  } else {
    report.skipped.push_back("interpolation.png, traversal.png: need 2 or more test images");
  }

  if (!history.empty()) {
    std::vector<Series> series;
    const std::vector<double> epochs = history_values(history, "epoch");
    series.push_back({"train", epochs, history_values(history, "train_loss")});
    const std::vector<double> validation = history_values(history, "validation_loss");
    if (validation.size() == epochs.size()) series.push_back({"validation", epochs, validation});
    const auto path = out_dir / "loss_curves.png";
    line_chart(path, series, {"Loss per epoch (nats per example)", "epoch", "loss"});
    report.written.push_back(path);
  }
  return report;
}

}  // namespace aekit::viz
