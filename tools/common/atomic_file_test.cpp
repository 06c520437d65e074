// File: atomic_file_test.cpp
// Tests for write_file_atomically: what the replaced file was (a symlink, its mode, read-only)
// survives the write, and no temporary file outlives it.
#include "common/atomic_file.h"

#include <gtest/gtest.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <filesystem>
#include <fstream>
#include <string>
#include <vector>

#include "common/error.h"

namespace tools {
namespace {

namespace fs = std::filesystem;

struct temp_dir {
  fs::path path;
  temp_dir() {
    std::string pattern = (fs::temp_directory_path() / "atomic_file_test.XXXXXX").string();
    path = ::mkdtemp(pattern.data());
  }
  ~temp_dir() {
    std::error_code ec;
    fs::permissions(path, fs::perms::owner_all, fs::perm_options::add, ec);
    fs::remove_all(path, ec);
  }
};

void write_plain(const fs::path& p, const std::string& text) {
  std::ofstream(p, std::ios::binary) << text;
}

std::vector<std::string> names_in(const fs::path& dir) {
  std::vector<std::string> out;
  for (const auto& e : fs::directory_iterator(dir))
    out.push_back(e.path().filename().string());
  std::sort(out.begin(), out.end());
  return out;
}

TEST(AtomicFile, WritesThroughASymlinkToItsTarget) {
  temp_dir d;
  fs::create_directory(d.path / "real");
  write_plain(d.path / "real" / "reg.txt", "old\n");
  fs::create_symlink("real/reg.txt", d.path / "link.txt");
  write_file_atomically((d.path / "link.txt").string(), "new\n");
  EXPECT_TRUE(fs::is_symlink(d.path / "link.txt"));
  EXPECT_EQ(read_file((d.path / "real" / "reg.txt").string()), "new\n");
  EXPECT_EQ(names_in(d.path / "real"), std::vector<std::string>{"reg.txt"});
}

TEST(AtomicFile, KeepsTheFilesMode) {
  temp_dir d;
  const fs::path p = d.path / "reg.txt";
  write_plain(p, "old\n");
  ::chmod(p.c_str(), 0640);
  write_file_atomically(p.string(), "new\n");
  struct stat st {};
  ASSERT_EQ(::stat(p.c_str(), &st), 0);
  EXPECT_EQ(st.st_mode & 07777, 0640u);
}

TEST(AtomicFile, ANewFileGetsOrdinaryPermissions) {
  temp_dir d;
  const fs::path p = d.path / "reg.txt";
  write_file_atomically(p.string(), "new\n");
  struct stat st {};
  ASSERT_EQ(::stat(p.c_str(), &st), 0);
  EXPECT_EQ(st.st_mode & 0777, 0644u);
}

TEST(AtomicFile, RefusesToReplaceAReadOnlyFile) {
  temp_dir d;
  const fs::path p = d.path / "reg.txt";
  write_plain(p, "old\n");
  ::chmod(p.c_str(), 0444);
  try {
    write_file_atomically(p.string(), "new\n");
    FAIL() << "a read-only file was replaced";
  } catch (const input_error& e) {
    EXPECT_NE(std::string(e.what()).find("reg.txt: is read-only"), std::string::npos) << e.what();
  }
  EXPECT_EQ(read_file(p.string()), "old\n");
}

TEST(AtomicFile, RemovesTemporaryFilesOfWritersThatDied) {
  temp_dir d;
  const fs::path p = d.path / "reg.txt";
  write_plain(p, "old\n");
  // What a writer killed between creating and renaming its temporary file leaves behind; the
  // process id is one that cannot exist (above pid_max).
  write_plain(d.path / "reg.txt.tmp.999999999.AbCdEf", "half");
  write_file_atomically(p.string(), "new\n");
  EXPECT_EQ(names_in(d.path), std::vector<std::string>{"reg.txt"});
}

TEST(AtomicFile, LeavesNoTemporaryFileWhenTheRenameFails) {
  temp_dir d;
  fs::create_directory(d.path / "reg.txt");  // a directory cannot be replaced by a file
  EXPECT_THROW(write_file_atomically((d.path / "reg.txt").string(), "new\n"), input_error);
  EXPECT_EQ(names_in(d.path), std::vector<std::string>{"reg.txt"});
}

TEST(AtomicFile, ReadErrorsNameTheReason) {
  temp_dir d;
  try {
    read_file((d.path / "missing.txt").string());
    FAIL();
  } catch (const input_error& e) {
    EXPECT_NE(std::string(e.what()).find("No such file or directory"), std::string::npos)
        << e.what();
  }
  try {
    read_file(d.path.string());
    FAIL() << "a directory was read as a file";
  } catch (const input_error& e) {
    EXPECT_NE(std::string(e.what()).find("cannot read: Is a directory"), std::string::npos)
        << e.what();
  }
}

TEST(AtomicFile, AnEndlessInputIsRefusedNotReadForever) {
  try {
    read_file("/dev/zero");
    FAIL() << "read an endless file";
  } catch (const input_error& e) {
    EXPECT_NE(std::string(e.what()).find("/dev/zero: larger than"), std::string::npos) << e.what();
  }
}

}  // namespace
}  // namespace tools
