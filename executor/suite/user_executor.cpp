#include "executor/suite/user_executor.h"

#include <algorithm>
#include <filesystem>

#include "executor/core/document.h"

namespace mqttest {

namespace {

std::vector<std::filesystem::path> yaml_files(const std::filesystem::path& dir) {
  std::vector<std::filesystem::path> files;
  std::error_code ec;
  for (auto it = std::filesystem::directory_iterator(dir, ec);
       !ec && it != std::filesystem::directory_iterator(); it.increment(ec)) {
    std::string extension = it->path().extension().string();
    if ((extension == ".yml" || extension == ".yaml") && it->is_regular_file(ec))
      files.push_back(it->path());
  }
  std::sort(files.begin(), files.end());
  return files;
}

}  // namespace

std::map<std::string, std::string> find_user_executors(const std::string& suite_file,
                                                       const std::vector<std::string>& lib_dirs) {
  std::vector<std::filesystem::path> dirs{std::filesystem::path(suite_file).parent_path() / "lib"};
  for (const std::string& dir : lib_dirs) dirs.emplace_back(dir);
  std::map<std::string, std::string> found;
  for (const auto& dir : dirs) {
    for (const auto& file : yaml_files(dir)) {
      auto doc = load_document(file.string());
      if (!doc->root.is_object()) continue;
      auto name = doc->root.find("executor");
      if (name == doc->root.end() || !name->is_string()) continue;
      found.emplace(name->get<std::string>(), file.string());
    }
  }
  return found;
}

}  // namespace mqttest
