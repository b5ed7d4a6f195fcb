#include "rotguard/warc_record.h"

#include "util/ascii.h"

namespace rotguard {
namespace {}  // namespace

const std::string* WarcFields::Find(std::string_view name) const {
  for (const Field& field : fields_) {
    if (EqualsIgnoreCase(field.first, name)) return &field.second;
  }
  return nullptr;
}

std::string WarcFields::Get(std::string_view name) const {
  const std::string* value = Find(name);
  return value ? *value : std::string();
}

std::vector<std::string> WarcFields::GetAll(std::string_view name) const {
  std::vector<std::string> values;
  for (const Field& field : fields_) {
    if (EqualsIgnoreCase(field.first, name)) values.push_back(field.second);
  }
  return values;
}

}  // namespace rotguard
