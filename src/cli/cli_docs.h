// The man page rotguard(1) and the bash, zsh and fish completions,
// generated from the CLI11 command tree (cli/app.h) at build time, so that
// every command and flag the binary accepts is documented and completed.
#ifndef ROTGUARD_CLI_CLI_DOCS_H_
#define ROTGUARD_CLI_CLI_DOCS_H_

#include <string>
#include <string_view>

namespace CLI {
class App;
}

namespace rotguard::cli {

// roff (man(7) macros): NAME, SYNOPSIS, DESCRIPTION, GLOBAL OPTIONS, one
// subsection per command with its arguments and options, EXIT STATUS,
// ENVIRONMENT, FILES, SEE ALSO. `description` is the long text under
// DESCRIPTION (paragraphs separated by blank lines).
std::string ManPage(const CLI::App& app, std::string_view version,
                    std::string_view description);

// A bash completion script (complete -F) for commands and their options.
std::string BashCompletion(const CLI::App& app);

// A zsh completion function file (#compdef rotguard, _arguments).
std::string ZshCompletion(const CLI::App& app);

// fish `complete` lines for commands and their options.
std::string FishCompletion(const CLI::App& app);

// roff escaping for text in a man page: backslashes, a leading '.' or '\''
// (which roff would take for a request) and '-' (so options stay hyphens).
std::string RoffEscape(std::string_view text);

}  // namespace rotguard::cli

#endif  // ROTGUARD_CLI_CLI_DOCS_H_
