// The small web page the service serves at `/` to explore it: choose a user, see their history and the
// h_next, h_gen and interleaved lists with titles, toggle filters and context, add an event and watch the
// lists change. Plain HTML + JavaScript over the public JSON API; `/?user=ID&tour=1` runs a short
// scripted tour (load the user, click "view" on the last h_next item, show the updated lists) used by the
// headless-Chromium test.
#pragma once

#include <string>

namespace stars::serve {

const std::string& web_page_html();

}  // namespace stars::serve
