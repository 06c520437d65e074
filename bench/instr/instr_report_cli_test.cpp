// File: instr_report_cli_test.cpp
// `instr-report`'s command-line contract (results JSON, explain and diff tables, exit codes),
// one golden case per folder under testdata/cli/.
#include "common/cli_golden.h"
#include "instr/cli.h"

ALLOCGATE_CLI_GOLDEN_TESTS(InstrReportCli, instr::run, ALLOCGATE_TESTDATA)
