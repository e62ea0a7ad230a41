// `stars eval`. Placeholder until its module lands; replaced by the module's implementation.
#include "stars/cli/commands.h"
#include "stars/core/error.h"

namespace stars::cli {

int run_eval(int, char**) { STARS_THROW(kInternal, "stars eval is not built yet"); }

}  // namespace stars::cli
