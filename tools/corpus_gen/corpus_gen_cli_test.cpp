// File: corpus_gen_cli_test.cpp
// `corpus-gen`'s command-line contract, one golden case per folder under testdata/cli/.
#include "common/cli_golden.h"
#include "corpus_gen/cli.h"

ALLOCGATE_CLI_GOLDEN_TESTS(CorpusGenCli, tools::corpus_gen::run, ALLOCGATE_TESTDATA)
