// File: ratchet_cli_test.cpp
// `ratchet`'s command-line contract (exit codes, messages, what tighten and raise write),
// one golden case per folder under testdata/cli/.
#include "common/cli_golden.h"
#include "ratchet/cli.h"

ALLOCGATE_CLI_GOLDEN_TESTS(RatchetCli, tools::ratchet::run, ALLOCGATE_TESTDATA)
