// Proves that linking alloc_hooks replaces operator new without referencing any of its
// symbols: this program names nothing from alloc_hooks. It looks up which loaded object
// provides operator new(size_t) and compares with argv[1] ("executable" or "libstdc++").
#include <dlfcn.h>

#include <cstdio>
#include <cstring>
#include <string>

int main(int argc, char** argv) {
  if (argc != 2) {
    std::fprintf(stderr, "usage: %s executable|libstdc++\n", argv[0]);
    return 2;
  }
  void* sym = dlsym(RTLD_DEFAULT, "_Znwm");  // operator new(unsigned long)
  Dl_info info{};
  if (sym == nullptr || dladdr(sym, &info) == 0) {
    std::fprintf(stderr, "cannot locate operator new\n");
    return 2;
  }
  Dl_info self{};
  dladdr(reinterpret_cast<void*>(&main), &self);
  const bool in_executable = info.dli_fbase == self.dli_fbase;
  const std::string provider = in_executable ? "executable" : info.dli_fname;
  std::printf("operator new provided by: %s\n", provider.c_str());
  const bool expect_executable = std::strcmp(argv[1], "executable") == 0;
  if (expect_executable) return in_executable ? 0 : 1;
  return provider.find(argv[1]) != std::string::npos ? 0 : 1;
}
