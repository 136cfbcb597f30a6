#pragma once

#include <map>
#include <string>
#include <vector>

namespace mqttest {

/// User executor files visible to a suite: `lib/` beside it, then each
/// `--lib-dir` in order (every *.yml / *.yaml directly inside). Returns
/// executor name -> file; the first definition of a name wins. Files
/// without an `executor:` key are ignored. Throws config_error for a file
/// that is not valid YAML.
std::map<std::string, std::string> find_user_executors(const std::string& suite_file,
                                                       const std::vector<std::string>& lib_dirs);

}  // namespace mqttest
