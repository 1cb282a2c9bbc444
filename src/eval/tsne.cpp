#include "aekit/eval/tsne.h"

#include "aekit/core/error.h"
#include "aekit/eval/probes.h"
#include "aekit/models/pca.h"

#include <algorithm>
#include <array>
#include <cmath>
#include <limits>
#include <thread>
#include <vector>

namespace aekit::eval {

namespace {

/// Symmetric input affinities P in compressed rows: row i holds j at columns[offsets[i]..].
struct SparseAffinities {
  std::vector<int64_t> offsets;
  std::vector<int64_t> columns;
  std::vector<double> values;
};

SparseAffinities input_affinities(const torch::Tensor& x, double perplexity) {
  const int64_t n = x.size(0);
  const int64_t k = std::min<int64_t>(n - 1, static_cast<int64_t>(3 * perplexity));
  const Neighbours nn = nearest_neighbours(x, x, k, /*exclude_self=*/true);
  const torch::Tensor d2_tensor = nn.squared_distances.to(torch::kFloat64).contiguous();
  const double* d2 = d2_tensor.data_ptr<double>();
  const int64_t* index = nn.indices.data_ptr<int64_t>();
  const double target = std::log(perplexity);
  // Conditional p(j|i) over the k neighbours, bandwidth by bisection on beta = 1 / (2 sigma^2).
  std::vector<double> conditional(static_cast<size_t>(n * k));
  for (int64_t i = 0; i < n; ++i) {
    const double* row = d2 + i * k;
    double* p = conditional.data() + i * k;
    double beta = 1.0;
    double low = 0.0;
    double high = std::numeric_limits<double>::infinity();
    const double nearest = row[0];
    for (int step = 0; step < 200; ++step) {
      double sum = 0.0;
      double weighted = 0.0;
      for (int64_t j = 0; j < k; ++j) {
        p[j] = std::exp(-beta * (row[j] - nearest));
        sum += p[j];
        weighted += p[j] * (row[j] - nearest);
      }
      // Entropy of the normalised row: log(sum) + beta * E[d2 - nearest].
      const double entropy = std::log(sum) + beta * weighted / sum;
      for (int64_t j = 0; j < k; ++j) p[j] /= sum;
      if (std::abs(entropy - target) < 1e-5) break;
      if (entropy > target) {
        low = beta;
        beta = std::isinf(high) ? beta * 2.0 : 0.5 * (beta + high);
      } else {
        high = beta;
        beta = 0.5 * (beta + low);
      }
    }
  }
  // Symmetrise: P = (P_cond + P_cond^T) / (2N), merged per row.
  std::vector<std::vector<std::pair<int64_t, double>>> rows(static_cast<size_t>(n));
  for (int64_t i = 0; i < n; ++i) {
    for (int64_t j = 0; j < k; ++j) {
      const int64_t other = index[i * k + j];
      const double value = conditional[static_cast<size_t>(i * k + j)];
      rows[static_cast<size_t>(i)].emplace_back(other, value);
      rows[static_cast<size_t>(other)].emplace_back(i, value);
    }
  }
  SparseAffinities p;
  p.offsets.reserve(static_cast<size_t>(n + 1));
  p.offsets.push_back(0);
  const double scale = 1.0 / (2.0 * static_cast<double>(n));
  for (auto& row : rows) {
    std::sort(row.begin(), row.end());
    for (size_t a = 0; a < row.size();) {
      double value = 0.0;
      size_t b = a;
      for (; b < row.size() && row[b].first == row[a].first; ++b) value += row[b].second;
      p.columns.push_back(row[a].first);
      p.values.push_back(value * scale);
      a = b;
    }
    p.offsets.push_back(static_cast<int64_t>(p.columns.size()));
  }
  return p;
}

/// A quadtree over the map, rebuilt every iteration by recursive partitioning of point indices.
class QuadTree {
 public:
  // One cache line: what a query reads of a cell.
  struct alignas(64) Node {
    double com_x = 0, com_y = 0;  // centre of mass
    double width2 = 0;            // the cell's side, squared
    double mass = 0;              // the number of points
    int32_t first = 0, last = 0;  // the points of the cell: order_[first, last)
    std::array<int32_t, 4> children{-1, -1, -1, -1};
    bool leaf = true;
  };

  QuadTree(const double* y, int64_t n) : y_(y) {
    order_.resize(static_cast<size_t>(n));
    for (int64_t i = 0; i < n; ++i) order_[static_cast<size_t>(i)] = i;
    double min_x = y[0], max_x = y[0], min_y = y[1], max_y = y[1];
    for (int64_t i = 1; i < n; ++i) {
      min_x = std::min(min_x, y[2 * i]);
      max_x = std::max(max_x, y[2 * i]);
      min_y = std::min(min_y, y[2 * i + 1]);
      max_y = std::max(max_y, y[2 * i + 1]);
    }
    const double width = std::max(max_x - min_x, max_y - min_y) * (1.0 + 1e-9) + 1e-12;
    nodes_.reserve(static_cast<size_t>(2 * n + 16));
    build(0, n, min_x, min_y, width, 0);
  }

  /// The a-th point in the tree's order: points close in the map are close in this order.
  int64_t point(int64_t a) const { return order_[static_cast<size_t>(a)]; }

  /// Repulsion on point i: adds sum_cells count * q^2 * (y_i - com) to (fx, fy), returns
  /// sum_cells count * q with q = 1 / (1 + d^2).
  double repulsion(int64_t i, double theta2, double& fx, double& fy) const {
    const double xi = y_[2 * i];
    const double yi = y_[2 * i + 1];
    double sum_q = 0.0;
    int32_t stack[256];
    int top = 0;
    stack[top++] = 0;
    while (top > 0) {
      const Node& node = nodes_[static_cast<size_t>(stack[--top])];
      const double dx = xi - node.com_x;
      const double dy = yi - node.com_y;
      const double d2 = dx * dx + dy * dy;
      if (node.leaf) {
        // Points one by one (a leaf holds one point, or several that coincide).
        for (int64_t a = node.first; a < node.last; ++a) {
          const int64_t j = order_[static_cast<size_t>(a)];
          if (j == i) continue;
          const double ex = xi - y_[2 * j];
          const double ey = yi - y_[2 * j + 1];
          const double q = 1.0 / (1.0 + ex * ex + ey * ey);
          sum_q += q;
          fx += q * q * ex;
          fy += q * q * ey;
        }
      } else if (node.width2 < theta2 * d2) {
        const double q = 1.0 / (1.0 + d2);
        sum_q += node.mass * q;
        fx += node.mass * q * q * dx;
        fy += node.mass * q * q * dy;
      } else {
        for (const int32_t child : node.children) {
          if (child >= 0 && top < 255) stack[top++] = child;
        }
      }
    }
    return sum_q;
  }

 private:
  int32_t build(int64_t first, int64_t last, double x0, double y0, double width, int depth) {
    const auto id = static_cast<int32_t>(nodes_.size());
    nodes_.emplace_back();
    double sx = 0.0, sy = 0.0;
    for (int64_t a = first; a < last; ++a) {
      const int64_t j = order_[static_cast<size_t>(a)];
      sx += y_[2 * j];
      sy += y_[2 * j + 1];
    }
    {
      Node& node = nodes_[static_cast<size_t>(id)];
      node.mass = static_cast<double>(last - first);
      node.first = static_cast<int32_t>(first);
      node.last = static_cast<int32_t>(last);
      node.width2 = width * width;
      node.com_x = sx / node.mass;
      node.com_y = sy / node.mass;
    }
    if (last - first <= 1 || depth >= 40 || width < 1e-12) return id;
    const double half = 0.5 * width;
    const double mx = x0 + half;
    const double my = y0 + half;
    // Partition into quadrants: x < mx first, then within each half y < my first.
    auto begin = order_.begin() + first;
    auto end = order_.begin() + last;
    const auto left = [&](int64_t j) { return y_[2 * j] < mx; };
    const auto lower = [&](int64_t j) { return y_[2 * j + 1] < my; };
    auto split_x = std::partition(begin, end, left);
    auto split_left = std::partition(begin, split_x, lower);
    auto split_right = std::partition(split_x, end, lower);
    const int64_t bounds[5] = {first, first + (split_left - begin), first + (split_x - begin),
                               first + (split_right - begin), last};
    const double corners[4][2] = {{x0, y0}, {x0, my}, {mx, y0}, {mx, my}};
    std::array<int32_t, 4> children{-1, -1, -1, -1};
    for (int q = 0; q < 4; ++q) {
      if (bounds[q + 1] > bounds[q]) {
        children[static_cast<size_t>(q)] =
            build(bounds[q], bounds[q + 1], corners[q][0], corners[q][1], half, depth + 1);
      }
    }
    Node& node = nodes_[static_cast<size_t>(id)];
    node.children = children;
    node.leaf = false;
    return id;
  }

  const double* y_;
  std::vector<int64_t> order_;
  std::vector<Node> nodes_;
};

/// Runs body(begin, end) over [0, n) on `threads` threads.
template <typename Body>
void parallel_range(int64_t n, int threads, const Body& body) {
  if (threads <= 1 || n < 256) {
    body(int64_t{0}, n);
    return;
  }
  std::vector<std::thread> workers;
  const int64_t chunk = (n + threads - 1) / threads;
  for (int t = 1; t < threads; ++t) {
    const int64_t begin = std::min(n, t * chunk);
    const int64_t end = std::min(n, begin + chunk);
    workers.emplace_back([&body, begin, end] { body(begin, end); });
  }
  body(0, std::min(n, chunk));
  for (auto& worker : workers) worker.join();
}

}  // namespace

torch::Tensor tsne(const torch::Tensor& points, const TsneOptions& options) {
  AEKIT_CHECK_INPUT(points.dim() >= 1 && points.size(0) >= 4,
                    "t-SNE: expected at least 4 points, found {}",
                    points.dim() >= 1 ? points.size(0) : 0);
  const int64_t n = points.size(0);
  AEKIT_CHECK_INPUT(options.perplexity > 0 && 3 * options.perplexity < static_cast<double>(n),
                    "t-SNE: perplexity must be > 0 and below a third of the number of points "
                    "({}), found {}",
                    n, options.perplexity);
  AEKIT_CHECK_INPUT(options.theta >= 0 && options.theta <= 1,
                    "t-SNE: theta must be in [0, 1], found {}", options.theta);
  AEKIT_CHECK_INPUT(options.iterations >= 1 && options.pca_dims >= 2,
                    "t-SNE: expected iterations >= 1 and pca_dims >= 2, found {} and {}",
                    options.iterations, options.pca_dims);
  torch::NoGradGuard no_grad;
  torch::Tensor x = points.reshape({n, -1}).to(torch::kCPU, torch::kFloat32);
  AEKIT_CHECK_INPUT(torch::isfinite(x).all().item<bool>(),
                    "t-SNE: the points hold NaN or infinite values");
  x = x - x.mean(0, true);
  if (x.size(1) > options.pca_dims) x = models::fit_pca(x, options.pca_dims).encode(x);
  const SparseAffinities p = input_affinities(x, options.perplexity);

  // Initial map: the first two principal components, scaled to standard deviation 1e-4.
  torch::Tensor init = x.size(1) >= 2 ? models::fit_pca(x, 2).encode(x).to(torch::kFloat64)
                                      : torch::cat({x, torch::zeros_like(x)}, 1).to(torch::kFloat64);
  const double spread = init.select(1, 0).std().item<double>();
  init = init / (spread > 0 ? spread : 1.0) * 1e-4;
  std::vector<double> y(static_cast<size_t>(2 * n));
  std::copy(init.contiguous().data_ptr<double>(), init.contiguous().data_ptr<double>() + 2 * n,
            y.begin());
  std::vector<double> update(y.size(), 0.0);
  std::vector<double> gains(y.size(), 1.0);
  std::vector<double> gradient(y.size(), 0.0);
  std::vector<double> repulsive(y.size(), 0.0);
  std::vector<double> partial_q(static_cast<size_t>(n), 0.0);

  const int threads = options.threads > 0
                          ? options.threads
                          : static_cast<int>(std::max(1u, std::thread::hardware_concurrency()));
  const double learning_rate =
      options.learning_rate > 0
          ? options.learning_rate
          : std::max(static_cast<double>(n) / options.early_exaggeration, 200.0);
  const double theta2 = options.theta * options.theta;
  for (int64_t iteration = 0; iteration < options.iterations; ++iteration) {
    const bool early = iteration < options.exaggeration_iterations;
    const double exaggeration = early ? options.early_exaggeration : 1.0;
    const double momentum = early ? 0.5 : 0.8;
    const QuadTree tree(y.data(), n);
    parallel_range(n, threads, [&](int64_t begin, int64_t end) {
      // In the tree's order, so that consecutive queries walk mostly the same cells.
      for (int64_t a = begin; a < end; ++a) {
        const int64_t i = tree.point(a);
        double fx = 0.0, fy = 0.0;
        partial_q[static_cast<size_t>(i)] = tree.repulsion(i, theta2, fx, fy);
        repulsive[static_cast<size_t>(2 * i)] = fx;
        repulsive[static_cast<size_t>(2 * i + 1)] = fy;
        // Attraction: sum_j p_ij q_ij Z (y_i - y_j), with q_ij Z = 1 / (1 + d^2).
        double ax = 0.0, ay = 0.0;
        const double xi = y[static_cast<size_t>(2 * i)];
        const double yi = y[static_cast<size_t>(2 * i + 1)];
        for (int64_t a = p.offsets[static_cast<size_t>(i)]; a < p.offsets[static_cast<size_t>(i + 1)]; ++a) {
          const int64_t j = p.columns[static_cast<size_t>(a)];
          const double dx = xi - y[static_cast<size_t>(2 * j)];
          const double dy = yi - y[static_cast<size_t>(2 * j + 1)];
          const double w = p.values[static_cast<size_t>(a)] / (1.0 + dx * dx + dy * dy);
          ax += w * dx;
          ay += w * dy;
        }
        gradient[static_cast<size_t>(2 * i)] = exaggeration * ax;
        gradient[static_cast<size_t>(2 * i + 1)] = exaggeration * ay;
      }
    });
    double z = 0.0;
    for (const double q : partial_q) z += q;
    z = std::max(z, std::numeric_limits<double>::min());
    double mean_x = 0.0, mean_y = 0.0;
    for (size_t c = 0; c < y.size(); ++c) {
      const double g = gradient[c] - repulsive[c] / z;
      // Adaptive gains: grow when the step keeps its direction, shrink when it reverses.
      gains[c] = (g > 0) != (update[c] > 0) ? gains[c] + 0.2 : std::max(gains[c] * 0.8, 0.01);
      update[c] = momentum * update[c] - learning_rate * gains[c] * g;
      y[c] += update[c];
      (c % 2 == 0 ? mean_x : mean_y) += y[c];
    }
    mean_x /= static_cast<double>(n);
    mean_y /= static_cast<double>(n);
    for (size_t c = 0; c < y.size(); c += 2) {
      y[c] -= mean_x;
      y[c + 1] -= mean_y;
    }
  }
  return torch::from_blob(y.data(), {n, 2}, torch::kFloat64).to(torch::kFloat32).clone();
}

}  // namespace aekit::eval
