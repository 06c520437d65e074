// File: detect_cli_test.cpp
// `detect`'s command-line contract, one golden case per folder under testdata/cli/, and the
// detector list against the registry.
#include <algorithm>

#include "common/cli_golden.h"
#include "detect/cli.h"
#include "detect/scan.h"
#include "detectors/detector.h"

ALLOCGATE_CLI_GOLDEN_TESTS(DetectCli, tools::detect::run, ALLOCGATE_TESTDATA)

TEST(DetectList, NamesEveryRegisteredDetector) {
  const std::string list = tools::detect::render_detector_list();
  for (std::string_view name : detectors::detector_names())
    EXPECT_NE(list.find(std::string(name)), std::string::npos) << name << " in\n" << list;
  EXPECT_EQ(tools::detect::listed_detectors().size(), detectors::detector_names().size());
}
