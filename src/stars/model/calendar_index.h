// The calendar events/promotions active on a day (and region), as the model needs them at training and at
// serving time without the dataset: a copy of the dataset calendar saved in the model directory. Torch-free.
#pragma once

#include <cstdint>
#include <unordered_map>
#include <vector>

namespace stars::data {
class Dataset;
}

namespace stars::model {

class CalendarIndex {
 public:
  // Marks `events` active on `day` (days since epoch) in `region` (0 = every region).
  void add(int64_t day, int32_t region, const std::vector<int32_t>& events);
  // Appends the ids active on `day` in `region` (region-independent rows first) to `out`.
  void active(int64_t day, int32_t region, std::vector<int64_t>* out) const;
  bool empty() const { return rows_.empty(); }

  // Flat rows for saving: (day, region, offsets into ids).
  struct Rows {
    std::vector<int64_t> day;
    std::vector<int32_t> region;
    std::vector<uint64_t> offsets{0};
    std::vector<int32_t> ids;
  };
  Rows rows() const;
  static CalendarIndex from_rows(const Rows& rows);

 private:
  static int64_t key(int64_t day, int32_t region) { return day * 65536 + region; }
  std::unordered_map<int64_t, std::vector<int32_t>> rows_;
};

// Copies the calendar of a dataset with timestamps (every day from its first event to a year after its last).
CalendarIndex calendar_from_dataset(const data::Dataset& dataset);

}  // namespace stars::model
