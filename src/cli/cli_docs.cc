#include "cli/cli_docs.h"

#include <fmt/format.h>

#include <CLI/CLI.hpp>
#include <algorithm>
#include <cctype>
#include <sstream>
#include <string>
#include <vector>

#include "cli/exit_codes.h"

namespace rotguard::cli {
namespace {

// Hidden commands and options have an empty group in CLI11.
std::vector<const CLI::App*> Commands(const CLI::App& app) {
  return app.get_subcommands(
      [](const CLI::App* sub) { return !sub->get_group().empty(); });
}

std::vector<const CLI::Option*> Named(const CLI::App& app) {
  return app.get_options([](const CLI::Option* opt) {
    return !opt->get_group().empty() && opt->nonpositional();
  });
}

std::vector<const CLI::Option*> Positionals(const CLI::App& app) {
  return app.get_options([](const CLI::Option* opt) {
    return opt->get_positional() && opt->get_snames().empty() &&
           opt->get_lnames().empty();
  });
}

// Flags have no type name; every option that takes a value has one.
bool TakesValue(const CLI::Option& opt) { return !opt.get_type_name().empty(); }

// "-v, --verbose" or "--store" as typed on the command line.
std::vector<std::string> Spellings(const CLI::Option& opt) {
  std::vector<std::string> names;
  for (const std::string& s : opt.get_snames()) names.push_back("-" + s);
  for (const std::string& l : opt.get_lnames()) names.push_back("--" + l);
  return names;
}

// The first line of a description: completions show one line.
std::string Summary(std::string_view text) {
  return std::string(text.substr(0, text.find('\n')));
}

std::string AfterPrefix(std::string_view text, std::string_view prefix) {
  if (text.substr(0, prefix.size()) == prefix)
    text.remove_prefix(prefix.size());
  return std::string(text);
}

}  // namespace

std::string RoffEscape(std::string_view text) {
  std::string out;
  bool line_start = true;
  for (char c : text) {
    if (line_start && (c == '.' || c == '\'')) out += "\\&";
    if (c == '\\') {
      out += "\\e";
    } else if (c == '-') {
      out += "\\-";
    } else {
      out += c;
    }
    line_start = c == '\n';
  }
  return out;
}

namespace {

// One .TP entry: the option's spellings in bold, its value in italics.
void ManOption(std::ostringstream& out, const CLI::Option& opt) {
  out << ".TP\n";
  std::vector<std::string> names = Spellings(opt);
  for (size_t i = 0; i < names.size(); ++i) {
    out << (i ? ", " : "") << "\\fB" << RoffEscape(names[i]) << "\\fR";
  }
  if (TakesValue(opt)) {
    out << " \\fI" << RoffEscape(opt.get_type_name()) << "\\fR";
  }
  out << '\n' << RoffEscape(opt.get_description());
  if (!opt.get_envname().empty()) {
    out << " (environment: \\fB" << RoffEscape(opt.get_envname()) << "\\fR)";
  }
  out << '\n';
}

void ManPositional(std::ostringstream& out, const CLI::Option& opt) {
  out << ".TP\n\\fI" << RoffEscape(opt.get_name(true)) << "\\fR"
      << (opt.get_expected_max() > 1 ? "..." : "") << '\n'
      << RoffEscape(opt.get_description()) << '\n';
}

void ManCommand(std::ostringstream& out, const CLI::App& command) {
  out << ".SS \"" << RoffEscape(command.get_name()) << "\"\n";
  out << ".B rotguard " << RoffEscape(command.get_name()) << "\n[\\fIOPTIONS"
      << "\\fR]";
  for (const CLI::Option* pos : Positionals(command)) {
    out << (pos->get_required() ? " \\fI" : " [\\fI")
        << RoffEscape(pos->get_name(true)) << "\\fR"
        << (pos->get_expected_max() > 1 ? "..." : "")
        << (pos->get_required() ? "" : "]");
  }
  out << "\n.PP\n" << RoffEscape(command.get_description()) << '\n';
  for (const CLI::Option* pos : Positionals(command)) ManPositional(out, *pos);
  for (const CLI::Option* opt : Named(command)) ManOption(out, *opt);
  if (!command.get_footer().empty()) {
    out << ".PP\n" << RoffEscape(command.get_footer()) << '\n';
  }
}

// kExitCodeHelp's "  N  meaning" lines as a .TP list.
void ManExitStatus(std::ostringstream& out) {
  std::istringstream lines{std::string(kExitCodeHelp)};
  std::string line;
  out << ".SH \"EXIT STATUS\"\n";
  while (std::getline(lines, line)) {
    size_t code = line.find_first_not_of(' ');
    if (code == std::string::npos || !std::isdigit(line[code])) continue;
    size_t text = line.find_first_not_of(' ', code + 1);
    out << ".TP\n\\fB" << line[code] << "\\fR\n"
        << RoffEscape(line.substr(text)) << '\n';
  }
}

void ManEnvironment(std::ostringstream& out, const CLI::App& app) {
  out << ".SH ENVIRONMENT\n";
  for (const CLI::Option* opt : Named(app)) {
    if (opt->get_envname().empty()) continue;
    out << ".TP\n\\fB" << RoffEscape(opt->get_envname()) << "\\fR\n"
        << "the default of \\fB" << RoffEscape(Spellings(*opt).back())
        << "\\fR: " << RoffEscape(opt->get_description()) << '\n';
  }
  out << ".TP\n\\fBNO_COLOR\\fR, \\fBTMPDIR\\fR\nas usual: no colour; where "
         "temporary files go.\n";
}

constexpr const char* kManFiles =
    ".SH FILES\n"
    ".TP\n\\fI.rotguard/\\fR\nthe store: \\fIrotguard.toml\\fR (settings), "
    "\\fImanifest.sqlite3\\fR (every capture and its digests, unless "
    "\\fB\\-\\-manifest\\fR puts it on PostgreSQL), "
    "\\fIwarc/\\fR (the WARC files), \\fIlogs/rotguard.log\\fR, "
    "\\fIlock\\fR.\n"
    ".TP\n\\fI/usr/share/rotguard/policies/default.toml\\fR\n"
    "the default link policy (Blogger, shorteners, scope).\n"
    ".SH \"SEE ALSO\"\n"
    "\\fBwget\\fR(1), \\fBcurl\\fR(1); the README in "
    "\\fI/usr/share/doc/rotguard/\\fR.\n";

}  // namespace

std::string ManPage(const CLI::App& app, std::string_view version,
                    std::string_view description) {
  std::ostringstream out;
  out << ".\\\" Generated by rotguard-docs from the CLI's own options.\n"
      << ".TH ROTGUARD 1 \"\" \"rotguard " << RoffEscape(version)
      << "\" \"User Commands\"\n"
      << ".SH NAME\nrotguard \\- "
      << RoffEscape(AfterPrefix(app.get_description(), "rotguard: ")) << '\n'
      << ".SH SYNOPSIS\n.B rotguard\n[\\fIGLOBAL OPTIONS\\fR] \\fICOMMAND\\fR "
         "[\\fIOPTIONS\\fR] [\\fIARGUMENTS\\fR]\n"
      << ".SH DESCRIPTION\n";
  std::istringstream paragraphs{std::string(description)};
  std::string line;
  while (std::getline(paragraphs, line)) {
    out << (line.empty() ? ".PP" : RoffEscape(line)) << '\n';
  }
  out << ".SH \"GLOBAL OPTIONS\"\n";
  for (const CLI::Option* opt : Named(app)) ManOption(out, *opt);
  out << ".SH COMMANDS\n";
  for (const CLI::App* command : Commands(app)) ManCommand(out, *command);
  ManExitStatus(out);
  ManEnvironment(out, app);
  out << kManFiles;
  return out.str();
}

namespace {

std::string Joined(const std::vector<std::string>& words) {
  return fmt::format("{}", fmt::join(words, " "));
}

// Every spelling of `app`'s options, and those that take a value.
void OptionWords(const CLI::App& app, std::vector<std::string>& all,
                 std::vector<std::string>& valued) {
  for (const CLI::Option* opt : Named(app)) {
    for (const std::string& name : Spellings(*opt)) {
      // -h/--help exists on every command and at the top: list it once.
      if (std::find(all.begin(), all.end(), name) != all.end()) continue;
      all.push_back(name);
      if (TakesValue(*opt)) valued.push_back(name);
    }
  }
}

std::vector<std::string> CommandNames(const CLI::App& app) {
  std::vector<std::string> names;
  for (const CLI::App* command : Commands(app)) {
    names.push_back(command->get_name());
  }
  return names;
}

constexpr const char* kBashBody = R"sh(  case " $valued " in
  *" $prev "*)
    COMPREPLY=($(compgen -f -- "$cur"))
    return
    ;;
  esac
  if [[ $cur == -* ]]; then
    COMPREPLY=($(compgen -W "$opts" -- "$cur"))
  elif [[ -z $cmd ]]; then
    COMPREPLY=($(compgen -W "$commands" -- "$cur"))
  else
    COMPREPLY=($(compgen -f -- "$cur"))
  fi
}
complete -o filenames -F _rotguard rotguard
)sh";

}  // namespace

std::string BashCompletion(const CLI::App& app) {
  std::vector<std::string> global, global_valued;
  OptionWords(app, global, global_valued);
  std::vector<std::string> commands = CommandNames(app);
  std::ostringstream out;
  out << "# bash completion for rotguard; generated by rotguard-docs from "
         "the CLI's own options.\n"
      << "_rotguard() {\n"
      << "  local cur=${COMP_WORDS[COMP_CWORD]} "
         "prev=${COMP_WORDS[COMP_CWORD-1]}\n"
      << "  local commands='" << Joined(commands) << "'\n"
      << "  local cmd='' i opts valued\n"
      << "  for ((i = 1; i < COMP_CWORD; i++)); do\n"
      << "    case \" $commands \" in *\" ${COMP_WORDS[i]} \"*)\n"
      << "      cmd=${COMP_WORDS[i]}\n      break\n      ;;\n    esac\n"
      << "  done\n  case $cmd in\n";
  for (const CLI::App* command : Commands(app)) {
    std::vector<std::string> all = global, valued = global_valued;
    OptionWords(*command, all, valued);
    out << "  " << command->get_name() << ")\n    opts='" << Joined(all)
        << "'\n    valued='" << Joined(valued) << "'\n    ;;\n";
  }
  out << "  *)\n    opts='" << Joined(global) << "'\n    valued='"
      << Joined(global_valued) << "'\n    ;;\n  esac\n"
      << kBashBody;
  return out.str();
}

namespace {

// Text inside a single-quoted zsh word and an _arguments [description].
std::string ZshQuoted(std::string_view text) {
  std::string out;
  for (char c : Summary(text)) {
    if (c == '\'') {
      out += "'\\''";
    } else if (c == '[' || c == ']' || c == ':' || c == '\\') {
      out += '\\';
      out += c;
    } else {
      out += c;
    }
  }
  return out;
}

// One _arguments spec per spelling: '-v[more output]' or
// '--store=[store directory]:value:_files'.
void ZshSpecs(std::ostringstream& out, const CLI::App& app,
              std::string_view indent) {
  for (const CLI::Option* opt : Named(app)) {
    std::string repeat = opt->get_expected_max() > 1 ? "*" : "";
    for (const std::string& name : Spellings(*opt)) {
      out << indent << "'" << repeat << name << (TakesValue(*opt) ? "=" : "")
          << "[" << ZshQuoted(opt->get_description()) << "]"
          << (TakesValue(*opt) ? ":value:_files" : "") << "' \\\n";
    }
  }
}

}  // namespace

std::string ZshCompletion(const CLI::App& app) {
  std::ostringstream out;
  out << "#compdef rotguard\n# zsh completion for rotguard; generated by "
         "rotguard-docs from the CLI's own options.\n"
      << "_rotguard() {\n  local context state state_descr line\n"
      << "  typeset -A opt_args\n  local -a commands\n  commands=(\n";
  for (const CLI::App* command : Commands(app)) {
    out << "    '" << command->get_name() << ":"
        << ZshQuoted(command->get_description()) << "'\n";
  }
  out << "  )\n  _arguments -C \\\n";
  ZshSpecs(out, app, "    ");
  out << "    '1:command:->command' \\\n    '*::argument:->argument'\n"
      << "  case $state in\n  command)\n"
      << "    _describe -t commands 'rotguard command' commands\n    ;;\n"
      << "  argument)\n    case $words[1] in\n";
  for (const CLI::App* command : Commands(app)) {
    out << "    " << command->get_name() << ")\n      _arguments \\\n";
    ZshSpecs(out, *command, "        ");
    out << "        '*:file:_files'\n      ;;\n";
  }
  out << "    esac\n    ;;\n  esac\n}\n_rotguard \"$@\"\n";
  return out.str();
}

namespace {

std::string FishQuoted(std::string_view text) {
  std::string out = "'";
  for (char c : Summary(text)) {
    if (c == '\'' || c == '\\') out += '\\';
    out += c;
  }
  return out + "'";
}

void FishOptions(std::ostringstream& out, const CLI::App& app,
                 const std::string& condition) {
  for (const CLI::Option* opt : Named(app)) {
    out << "complete -c rotguard" << condition;
    for (const std::string& s : opt->get_snames()) out << " -s " << s;
    for (const std::string& l : opt->get_lnames()) out << " -l " << l;
    out << (TakesValue(*opt) ? " -r -F" : "") << " -d "
        << FishQuoted(opt->get_description()) << '\n';
  }
}

}  // namespace

std::string FishCompletion(const CLI::App& app) {
  std::ostringstream out;
  out << "# fish completion for rotguard; generated by rotguard-docs from "
         "the CLI's own options.\n"
      << "complete -c rotguard -f\n";
  FishOptions(out, app, "");
  for (const CLI::App* command : Commands(app)) {
    out << "complete -c rotguard -n __fish_use_subcommand -a "
        << command->get_name() << " -d "
        << FishQuoted(command->get_description()) << '\n';
    std::string condition =
        " -n '__fish_seen_subcommand_from " + command->get_name() + "'";
    out << "complete -c rotguard" << condition << " -F\n";
    FishOptions(out, *command, condition);
  }
  return out.str();
}

}  // namespace rotguard::cli
