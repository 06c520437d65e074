// File: cli_golden.cpp
// The golden-test runner behind cli_golden.h: case discovery, argument expansion, the run with
// redirected streams, path normalisation, comparison and the update mode.
#include "common/cli_golden.h"

#include <stdlib.h>  // mkdtemp, setenv

#include <algorithm>
#include <cstdlib>
#include <fstream>
#include <iostream>
#include <memory>
#include <optional>
#include <sstream>
#include <stdexcept>
#include <system_error>
#include <utility>

namespace tools::testing {

namespace fs = std::filesystem;

namespace {

std::string read_text(const fs::path& p) {
  std::ifstream in(p, std::ios::binary);
  if (!in) throw std::runtime_error("cannot read " + p.string());
  std::ostringstream s;
  s << in.rdbuf();
  return s.str();
}

void write_text(const fs::path& p, std::string_view text) {
  fs::create_directories(p.parent_path());
  std::ofstream out(p, std::ios::binary | std::ios::trunc);
  out << text;
  if (!out) throw std::runtime_error("cannot write " + p.string());
}

void replace_all(std::string& s, std::string_view from, std::string_view to) {
  if (from.empty()) return;
  for (std::size_t at = s.find(from); at != std::string::npos; at = s.find(from, at + to.size()))
    s.replace(at, from.size(), to);
}

std::vector<std::string_view> split_lines(std::string_view s) {
  std::vector<std::string_view> lines;
  while (!s.empty()) {
    const std::size_t nl = s.find('\n');
    if (nl == std::string_view::npos) {
      lines.push_back(s);
      break;
    }
    lines.push_back(s.substr(0, nl + 1));
    s.remove_prefix(nl + 1);
  }
  return lines;
}

// A line as a reader can see it: control characters escaped, the line end shown as \n.
std::string visible(std::string_view line) {
  std::string out = "\"";
  for (char c : line) {
    if (c == '\n')
      out += "\\n";
    else if (c == '\t')
      out += "\\t";
    else if (c == '"')
      out += "\\\"";
    else if (static_cast<unsigned char>(c) < 0x20) {
      static const char* hex = "0123456789abcdef";
      out += "\\x";
      out += hex[(c >> 4) & 0xf];
      out += hex[c & 0xf];
    } else
      out += c;
  }
  return out + "\"";
}

// A fresh directory, removed when the case is done.
class temp_dir {
 public:
  temp_dir() {
    std::string pattern = (fs::temp_directory_path() / "allocgate-golden-XXXXXX").string();
    if (mkdtemp(pattern.data()) == nullptr) throw std::runtime_error("mkdtemp failed");
    path_ = fs::canonical(pattern);
  }
  ~temp_dir() {
    std::error_code ignored;
    fs::remove_all(path_, ignored);
  }
  temp_dir(const temp_dir&) = delete;
  temp_dir& operator=(const temp_dir&) = delete;
  const fs::path& path() const { return path_; }

 private:
  fs::path path_;
};

// Points std::cin at a string for the lifetime of the object.
class cin_redirect {
 public:
  explicit cin_redirect(std::string text) : in_(std::move(text)), saved_(std::cin.rdbuf()) {
    std::cin.rdbuf(in_.rdbuf());
    std::cin.clear();
  }
  ~cin_redirect() {
    std::cin.rdbuf(saved_);
    std::cin.clear();
  }
  cin_redirect(const cin_redirect&) = delete;
  cin_redirect& operator=(const cin_redirect&) = delete;

 private:
  std::istringstream in_;
  std::streambuf* saved_;
};

std::vector<std::string> list_tree(const fs::path& root) {
  std::vector<std::string> files;
  for (const auto& e : fs::recursive_directory_iterator(root))
    if (!e.is_directory()) files.push_back(fs::relative(e.path(), root).generic_string());
  std::sort(files.begin(), files.end());
  return files;
}

std::string join_lines(const std::vector<std::string>& lines) {
  std::string out;
  for (const auto& l : lines)
    out += l + "\n";
  return out;
}

}  // namespace

std::vector<golden_case> discover_cases(const fs::path& testdata) {
  std::vector<golden_case> cases;
  const fs::path root = testdata / "cli";
  std::error_code ec;
  if (!fs::is_directory(root, ec)) return cases;
  for (const auto& e : fs::directory_iterator(root))
    if (e.is_directory()) cases.push_back({e.path().filename().string(), e.path(), testdata});
  std::sort(cases.begin(), cases.end(),
            [](const golden_case& a, const golden_case& b) { return a.name < b.name; });
  return cases;
}

std::string case_test_name(const ::testing::TestParamInfo<golden_case>& info) {
  std::string name = info.param.name;
  for (char& c : name)
    if (!((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9'))) c = '_';
  return name;
}

std::string first_difference(std::string_view what, std::string_view expected,
                             std::string_view actual) {
  if (expected == actual) return "";
  const auto e = split_lines(expected);
  const auto a = split_lines(actual);
  std::size_t i = 0;
  while (i < e.size() && i < a.size() && e[i] == a[i])
    ++i;
  std::ostringstream out;
  out << what << ", line " << (i + 1) << ":\n"
      << "  expected: " << (i < e.size() ? visible(e[i]) : "<end of output>") << "\n"
      << "  actual:   " << (i < a.size() ? visible(a[i]) : "<end of output>") << "\n"
      << "whole actual " << what << ":\n"
      << actual;
  return out.str();
}

std::vector<std::string> parse_args(std::string_view text, const std::string& testdata,
                                    const std::string& tmp) {
  std::vector<std::string> args;
  for (std::string_view line : split_lines(text)) {
    if (!line.empty() && line.back() == '\n') line.remove_suffix(1);
    std::string arg;
    for (std::size_t i = 0; i < line.size(); ++i) {
      if (line[i] == '\\' && i + 1 < line.size() && (line[i + 1] == 'n' || line[i + 1] == '\\')) {
        arg += line[i + 1] == 'n' ? '\n' : '\\';
        ++i;
      } else {
        arg += line[i];
      }
    }
    replace_all(arg, "$TESTDATA", testdata);
    replace_all(arg, "$TMP", tmp);
    args.push_back(std::move(arg));
  }
  return args;
}

bool update_requested() {
  const char* v = std::getenv("ALLOCGATE_UPDATE_GOLDEN");
  return v != nullptr && std::string_view(v) == "1";
}

namespace {

// Sets an environment variable for the lifetime of the object, then restores it.
class scoped_env {
 public:
  scoped_env(std::string name, const std::string& value) : name_(std::move(name)) {
    if (const char* old = ::getenv(name_.c_str())) old_ = old;
    ::setenv(name_.c_str(), value.c_str(), 1);
  }
  ~scoped_env() {
    if (old_)
      ::setenv(name_.c_str(), old_->c_str(), 1);
    else
      ::unsetenv(name_.c_str());
  }
  scoped_env(const scoped_env&) = delete;
  scoped_env& operator=(const scoped_env&) = delete;

 private:
  std::string name_;
  std::optional<std::string> old_;
};

// "NAME=VALUE" with NAME in [A-Z0-9_]+: an environment assignment, not an argument.
std::optional<std::pair<std::string, std::string>> assignment(const std::string& arg) {
  const auto eq = arg.find('=');
  if (eq == std::string::npos || eq == 0) return std::nullopt;
  for (std::size_t i = 0; i < eq; ++i)
    if (!((arg[i] >= 'A' && arg[i] <= 'Z') || (arg[i] >= '0' && arg[i] <= '9') || arg[i] == '_'))
      return std::nullopt;
  return std::pair{arg.substr(0, eq), arg.substr(eq + 1)};
}

int run_invocation(const cli_function& run, std::span<const std::string> args, std::ostream& out,
                   std::ostream& err) {
  std::vector<std::unique_ptr<scoped_env>> env;
  std::size_t first = 0;
  for (; first < args.size(); ++first) {
    auto a = assignment(args[first]);
    if (!a) break;
    env.push_back(std::make_unique<scoped_env>(a->first, a->second));
  }
  return run(args.subspan(first), out, err);
}

}  // namespace

int run_session(const cli_function& run, std::span<const std::string> args, std::ostream& out,
                std::ostream& err) {
  int code = 0;
  std::size_t begin = 0;
  for (std::size_t i = 0; i <= args.size(); ++i) {
    if (i < args.size() && args[i] != ";") continue;
    code = run_invocation(run, args.subspan(begin, i - begin), out, err);
    begin = i + 1;
  }
  return code;
}

std::vector<std::string> run_case(const golden_case& c, const cli_function& run, bool update) {
  std::vector<std::string> failures;
  const temp_dir tmp;
  const std::string tmp_path = tmp.path().string();
  const std::string testdata_path = fs::absolute(c.testdata).lexically_normal().string();
  if (fs::is_directory(c.dir / "files"))
    fs::copy(c.dir / "files", tmp.path(), fs::copy_options::recursive);

  const std::vector<std::string> args =
      fs::exists(c.dir / "args") ? parse_args(read_text(c.dir / "args"), testdata_path, tmp_path)
                                 : std::vector<std::string>{};
  std::ostringstream out;
  std::ostringstream err;
  int code = 0;
  {
    const cin_redirect in(fs::exists(c.dir / "stdin") ? read_text(c.dir / "stdin") : "");
    code = run_session(run, args, out, err);
  }

  // Paths differ from machine to machine; their names do not.
  const auto normalise = [&](std::string s) {
    replace_all(s, tmp_path, "$TMP");
    replace_all(s, testdata_path, "$TESTDATA");
    return s;
  };
  const auto compare = [&](const std::string& what, const fs::path& expected_file,
                           const std::string& actual) {
    if (update) {
      write_text(expected_file, actual);
      return;
    }
    if (!fs::exists(expected_file)) {
      failures.push_back(c.name + ": missing " + expected_file.string() +
                         " (ALLOCGATE_UPDATE_GOLDEN=1 writes it)");
      return;
    }
    const std::string diff = first_difference(what, read_text(expected_file), actual);
    if (!diff.empty()) failures.push_back(c.name + ": " + diff);
  };

  compare("stdout", c.dir / "stdout", normalise(out.str()));
  compare("stderr", c.dir / "stderr", normalise(err.str()));
  compare("exit_code", c.dir / "exit_code", std::to_string(code) + "\n");

  const fs::path expect_files = c.dir / "expect_files";
  if (fs::is_directory(expect_files)) {
    for (const std::string& rel : list_tree(expect_files)) {
      const fs::path written = tmp.path() / rel;
      if (!fs::exists(written)) {
        failures.push_back(c.name + ": the command did not leave $TMP/" + rel);
        continue;
      }
      compare("$TMP/" + rel, expect_files / rel, normalise(read_text(written)));
    }
  }
  if (fs::exists(c.dir / "expect_tree"))
    compare("expect_tree (files in $TMP)", c.dir / "expect_tree",
            join_lines(list_tree(tmp.path())));
  return failures;
}

}  // namespace tools::testing
