// The subcommands of the `stars` program. Each takes the full argv (argv[1] is the command name),
// parses its own options with ArgParser (so each has --help) and returns the process exit code.
#pragma once

namespace stars::cli {

int run_prepare(int argc, char** argv);   // raw files -> prepared dataset
int run_stats(int argc, char** argv);     // print a prepared dataset's statistics
int run_synth(int argc, char** argv);     // synthetic grocery world in the native format
int run_enrich(int argc, char** argv);    // text embeddings + attribute tags
int run_train(int argc, char** argv);     // train the STARS model
int run_eval(int argc, char** argv);      // protocols, baselines, metrics.json, report.html
int run_export(int argc, char** argv);    // user/item vector snapshot for serving
int run_serve(int argc, char** argv);     // HTTP/JSON recommendation service

}  // namespace stars::cli
