// Links bik::io from the install and calls one of its functions (no file is touched).
#include <bik/io/io.hpp>

#include <iostream>

int main() {
  bik::io::DatasetSpec const spec = bik::io::parse_dataset_spec("cells.h5:labels");
  if (spec.file != "cells.h5" || spec.dataset != "/labels") {
    std::cerr << "io_link_check: parse_dataset_spec gave " << spec.str() << "\n";
    return 1;
  }
  std::cout << "io_link_check: bik::io OK\n";
  return 0;
}
