// Linked with one module's library taken whole and only the modules it
// declares (cmake/RotguardModules.cmake): the link fails when the module
// calls into a module it did not declare. Never run.
int main() { return 0; }
