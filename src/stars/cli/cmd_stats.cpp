// `stars stats`. Placeholder until its module lands; replaced by the module's implementation.
#include "stars/cli/commands.h"
#include "stars/core/error.h"

namespace stars::cli {

int run_stats(int, char**) { STARS_THROW(kInternal, "stars stats is not built yet"); }

}  // namespace stars::cli
