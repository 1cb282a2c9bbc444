#include "aekit/data/batching.h"

#include "aekit/core/error.h"

namespace aekit::data {

Batches::Batches(const Dataset& data, int64_t batch_size, bool shuffle)
    : data_(data), batch_size_(batch_size), count_((data.size() + batch_size - 1) / batch_size) {
  AEKIT_CHECK_INPUT(batch_size > 0, "batch size: expected 1 or more, found {}", batch_size);
  if (shuffle) {
    order_ = torch::randperm(data.size(), torch::TensorOptions().dtype(torch::kInt64));
  }
}

Dataset Batches::get(int64_t index) const {
  const int64_t begin = index * batch_size_;
  const int64_t end = std::min(begin + batch_size_, data_.size());
  if (!order_.defined()) return data_.slice(begin, end);
  return data_.select(order_.slice(0, begin, end));
}

}  // namespace aekit::data
