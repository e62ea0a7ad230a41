// `stars prepare`. Placeholder until its module lands; replaced by the module's implementation.
#include "stars/cli/commands.h"
#include "stars/core/error.h"

namespace stars::cli {

int run_prepare(int, char**) { STARS_THROW(kInternal, "stars prepare is not built yet"); }

}  // namespace stars::cli
