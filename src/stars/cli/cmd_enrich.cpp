// `stars enrich`. Placeholder until its module lands; replaced by the module's implementation.
#include "stars/cli/commands.h"
#include "stars/core/error.h"

namespace stars::cli {

int run_enrich(int, char**) { STARS_THROW(kInternal, "stars enrich is not built yet"); }

}  // namespace stars::cli
