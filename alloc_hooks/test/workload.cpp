// A fixed allocation workload for the cross-checks: `alloc_hooks_workload K` runs K rounds of
// a mixed standard-library workload and prints what the hook counted, for the whole process:
//   allocs=N frees=N bytes=N
// The cross-allocator test compares this line across the three builds; the valgrind test
// compares the difference between K and 0 rounds with memcheck's heap summary.
#include <cstdio>
#include <cstdlib>
#include <list>
#include <map>
#include <memory>
#include <string>
#include <unordered_map>
#include <vector>

#include "alloc_hooks/counters.h"

namespace {

void one_round(int round) {
  std::vector<int> v;
  for (int i = 0; i < 100; ++i)
    v.push_back(i);             // geometric growth: 8 allocations
  std::list<int> l(10, round);  // 10 nodes
  std::map<int, std::string> m;
  for (int i = 0; i < 5; ++i)
    m[i] = std::string(40, static_cast<char>('a' + i));
  std::unordered_map<int, int> u;
  for (int i = 0; i < 20; ++i)
    u[i] = i;
  auto shared = std::make_shared<std::vector<double>>(64);
  std::unique_ptr<int[]> array(new int[32]);
  (void)shared;
}

}  // namespace

int main(int argc, char** argv) {
  const int rounds = argc > 1 ? std::atoi(argv[1]) : 1;
  for (int r = 0; r < rounds; ++r)
    one_round(r);
  const alloc_hooks::snapshot s = alloc_hooks::process_snapshot();
  std::printf("allocs=%llu frees=%llu bytes=%llu\n", static_cast<unsigned long long>(s.allocs),
              static_cast<unsigned long long>(s.frees),
              static_cast<unsigned long long>(s.bytes_allocated));
  return 0;
}
