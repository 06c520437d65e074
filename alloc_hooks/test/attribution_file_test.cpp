// File: attribution_file_test.cpp
// The attribution file format: what the writer writes the reader reads back, and a malformed
// file is refused with its file, line and field named.
#include "alloc_hooks/attribution_file.h"

#include <gtest/gtest.h>

#include <cstdio>
#include <cstdlib>
#include <string>

namespace {

namespace af = alloc_hooks::attribution_file;

// Runs `write` on an in-memory FILE and returns what it wrote.
template <typename F>
std::string written(F write) {
  char* buffer = nullptr;
  std::size_t length = 0;
  std::FILE* f = open_memstream(&buffer, &length);
  EXPECT_NE(f, nullptr);
  write(f);
  std::fclose(f);
  std::string out(buffer, length);
  std::free(buffer);
  return out;
}

std::string error_of(const std::string& text) {
  try {
    af::read(text, "a.txt");
  } catch (const af::format_error& e) {
    return e.what();
  }
  return "(no error)";
}

TEST(AttributionFile, WhatTheWriterWritesTheReaderReadsBack) {
  const std::string text = written([](std::FILE* f) {
    af::writer w(f);
    w.header(81920, 3);
    w.site(7, 448, 2);
    w.frame(0x1a2b, "/work/build/bench/detector_bench_attribution");
    w.frame(0xdeadbeef, nullptr);
    w.site(1, 16, 0);
    EXPECT_TRUE(w.ok());
  });
  EXPECT_EQ(text,
            "# allocgate attribution v1\nevents 81920\ndropped 3\nsite 7 448 2\n"
            "frame 1a2b /work/build/bench/detector_bench_attribution\nframe deadbeef ?\n"
            "site 1 16 0\n");
  const af::contents c = af::read(text, "a.txt");
  EXPECT_EQ(c.events, 81920u);
  EXPECT_EQ(c.dropped, 3u);
  ASSERT_EQ(c.sites.size(), 2u);
  EXPECT_EQ(c.sites[0].allocs, 7u);
  EXPECT_EQ(c.sites[0].bytes, 448u);
  ASSERT_EQ(c.sites[0].frames.size(), 2u);
  EXPECT_EQ(c.sites[0].frames[0].offset, 0x1a2bu);
  EXPECT_EQ(c.sites[0].frames[0].object, "/work/build/bench/detector_bench_attribution");
  EXPECT_EQ(c.sites[0].frames[1].offset, 0xdeadbeefu);
  EXPECT_EQ(c.sites[0].frames[1].object, "?");
  EXPECT_TRUE(c.sites[1].frames.empty());
}

TEST(AttributionFile, ObjectPathsMayHoldSpaces) {
  const af::contents c = af::read(
      "# allocgate attribution v1\nevents 1\nsite 1 8 1\nframe 10 /opt/my dir/lib.so\n", "a.txt");
  EXPECT_EQ(c.sites[0].frames[0].object, "/opt/my dir/lib.so");
}

TEST(AttributionFile, MalformedFilesNameTheFileLineAndField) {
  const std::string head = "# allocgate attribution v1\nevents 10\n";
  EXPECT_EQ(error_of(""),
            "a.txt:1: not an allocgate attribution file (the first line must be "
            "'# allocgate attribution v1')");
  EXPECT_EQ(error_of("events 1\n"),
            "a.txt:1: not an allocgate attribution file (the first line must be '# allocgate "
            "attribution v1')");
  EXPECT_EQ(error_of("# allocgate attribution v1\n"), "a.txt:1: no 'events' line");
  EXPECT_EQ(error_of("# allocgate attribution v1\nevents ten\n"),
            "a.txt:2: field 'events': expected a decimal number, got 'ten'");
  EXPECT_EQ(error_of("# allocgate attribution v1\nevents -1\n"),
            "a.txt:2: field 'events': expected a decimal number, got '-1'");
  EXPECT_EQ(error_of("# allocgate attribution v1\nevents 1 2\n"),
            "a.txt:2: unexpected '2' at the end of the line");
  EXPECT_EQ(error_of(head + "events 3\n"), "a.txt:3: 'events' given twice");
  EXPECT_EQ(error_of(head + "site 1 x 0\n"),
            "a.txt:3: field 'bytes': expected a decimal number, got 'x'");
  EXPECT_EQ(error_of(head + "site 1 2\n"),
            "a.txt:3: field 'frame count': expected a decimal number, got ''");
  EXPECT_EQ(error_of(head + "frame 10 /bin/x\n"), "a.txt:3: a frame before any site");
  EXPECT_EQ(error_of(head + "site 1 2 1\nframe 0x10 /bin/x\n"),
            "a.txt:4: field 'offset': expected a hex number, got '0x10'");
  EXPECT_EQ(error_of(head + "site 1 2 1\nframe 10\n"), "a.txt:4: field 'object': missing");
  EXPECT_EQ(error_of(head + "site 1 2 1\nframe 10 /bin/x\nframe 11 /bin/x\n"),
            "a.txt:5: more frames than the site declared");
  EXPECT_EQ(error_of(head + "site 1 2 2\nframe 10 /bin/x\nsite 1 2 0\n"),
            "a.txt:3: field 'frame count': the site declares 2 frames, the file has 1");
  EXPECT_EQ(error_of(head + "site 1 2 2\nframe 10 /bin/x\n"),
            "a.txt:3: field 'frame count': the site declares 2 frames, the file has 1");
  EXPECT_EQ(error_of("# allocgate attribution v1\nsite 1 2 0\n"),
            "a.txt:2: a site before the 'events' line");
  EXPECT_EQ(error_of(head + "site 1 2 0\ndropped 1\n"), "a.txt:4: 'dropped' after the first site");
  EXPECT_EQ(error_of(head + "stack 1\n"),
            "a.txt:3: unexpected line kind 'stack' (expected events, dropped, site or frame)");
  EXPECT_EQ(error_of(head + "site 99999999999999999999 0 0\n"),
            "a.txt:3: field 'allocs': expected a decimal number, got '99999999999999999999'");
}

TEST(AttributionFile, AFailedWriteIsReported) {
  std::FILE* f = std::fopen("/dev/full", "w");
  if (f == nullptr) GTEST_SKIP() << "no /dev/full";
  std::setvbuf(f, nullptr, _IONBF, 0);
  af::writer w(f);
  w.header(1, 0);
  EXPECT_FALSE(w.ok());
  std::fclose(f);
}

}  // namespace
