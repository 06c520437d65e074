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
  for (const detectors::detector_info& d : detectors::detector_catalog()) {
    EXPECT_NE(list.find(std::string(d.name)), std::string::npos) << d.name << " in\n" << list;
    EXPECT_FALSE(d.summary.empty()) << d.name << " has no summary in the detector list";
  }
  // A header, a rule and one row per detector.
  EXPECT_EQ(std::count(list.begin(), list.end(), '\n'),
            static_cast<std::ptrdiff_t>(detectors::detector_catalog().size()) + 2);
}
