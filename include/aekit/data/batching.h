#pragma once
/// Mini-batches of a Dataset: each batch is gathered from the contiguous dataset tensor with one
/// index_select, never sample by sample.

#include "aekit/data/dataset.h"

namespace aekit::data {

/// The batches of one pass over `data`.
///
/// Example:
///   aekit::data::Batches batches(splits.train, /*batch_size=*/128, /*shuffle=*/true);
///   for (int64_t b = 0; b < batches.count(); ++b) { auto batch = batches.get(b); ... }
class Batches {
 public:
  /// With `shuffle`, the order is a permutation drawn from torch's default generator (seed it with
  /// aekit::seed_everything for a reproducible order). The last batch may be smaller.
  Batches(const Dataset& data, int64_t batch_size, bool shuffle);

  int64_t count() const { return count_; }
  /// Batch `index` (0-based): features and labels of at most batch_size samples.
  Dataset get(int64_t index) const;

 private:
  const Dataset& data_;
  int64_t batch_size_;
  int64_t count_;
  torch::Tensor order_;  // undefined when not shuffled
};

}  // namespace aekit::data
