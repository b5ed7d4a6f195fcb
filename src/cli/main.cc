#include "cli/rotguard_main.h"

int main(int argc, char** argv) {
  return rotguard::cli::RotguardMain(argc, argv);
}
