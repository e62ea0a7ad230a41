// The constant text of the synthetic grocery world (see vocabulary.h and docs/SYNTH.md).
#include "stars/synth/vocabulary.h"

#include <cstring>

namespace stars::synth {

namespace {
template <size_t N>
int find_name(const char* const (&names)[N], std::string_view s) {
  for (size_t i = 0; i < N; ++i) {
    if (s == names[i]) return static_cast<int>(i);
  }
  return -1;
}
}  // namespace

// tag, text, text_rate, tag_rate, base_rate
const AttributeDef kAttributes[kNumAttributes] = {
    {"organic", "Organic", 0.9f, 0.85f, 0.16f},
    {"vegan", "Vegan", 0.55f, 0.8f, 0.08f},
    {"gluten-free", "Gluten-Free", 0.55f, 0.8f, 0.10f},
    {"sugar-free", "Sugar-Free", 0.6f, 0.8f, 0.07f},
    {"keto", "", 0.0f, 0.85f, 0.06f},
    {"high-protein", "High Protein", 0.5f, 0.8f, 0.07f},
    {"non-gmo", "", 0.0f, 0.85f, 0.14f},
    {"kosher", "", 0.0f, 0.9f, 0.12f},
    {"fair-trade", "", 0.0f, 0.85f, 0.08f},
    {"local", "Locally Made", 0.35f, 0.8f, 0.07f},
    {"low-sodium", "Low Sodium", 0.55f, 0.8f, 0.07f},
    {"lactose-free", "Lactose-Free", 0.6f, 0.8f, 0.08f},
    {"eco-friendly", "Eco-Friendly", 0.5f, 0.8f, 0.15f},
};

int attribute_index(std::string_view tag) {
  for (int i = 0; i < kNumAttributes; ++i) {
    if (tag == kAttributes[i].tag) return i;
  }
  return -1;
}

const char* const kFlavourFamilies[kNumFlavourFamilies] = {"classic", "sweet", "fruity", "savory", "herbal"};
int flavour_family_index(std::string_view name) { return find_name(kFlavourFamilies, name); }

const char* const kThemes[kNumThemes] = {"staples", "healthy", "indulgent", "breakfast", "kids",
                                         "protein", "party", "premium", "convenience", "baking",
                                         "beverage", "household", "baby", "pet", "alcohol"};
int theme_index(std::string_view name) { return find_name(kThemes, name); }

const char* const kSlots[kNumSlots] = {"breakfast", "lunch", "afternoon", "dinner", "evening", "late"};
int slot_index(std::string_view name) { return find_name(kSlots, name); }
int slot_of_hour(int h) {
  if (h >= 5 && h <= 10) return 0;
  if (h >= 11 && h <= 14) return 1;
  if (h >= 15 && h <= 16) return 2;
  if (h >= 17 && h <= 20) return 3;
  if (h >= 21 && h <= 23) return 4;
  return 5;
}

//                                             breakfast lunch afternoon dinner evening late
const float kThemeSlotAffinity[kNumThemes][kNumSlots] = {
    {1.0f, 1.0f, 1.0f, 1.1f, 0.8f, 0.5f},   // staples
    {1.3f, 1.2f, 1.0f, 1.0f, 0.7f, 0.4f},   // healthy
    {0.4f, 0.7f, 1.2f, 0.8f, 1.8f, 2.6f},   // indulgent
    {3.0f, 0.6f, 0.5f, 0.4f, 0.5f, 0.5f},   // breakfast
    {1.3f, 1.2f, 1.4f, 1.0f, 0.5f, 0.2f},   // kids
    {1.0f, 1.1f, 1.0f, 1.5f, 0.8f, 0.5f},   // protein
    {0.2f, 0.5f, 1.0f, 1.6f, 2.4f, 1.8f},   // party
    {0.7f, 0.9f, 1.0f, 1.5f, 1.3f, 0.6f},   // premium
    {0.7f, 2.0f, 1.0f, 1.0f, 1.2f, 2.0f},   // convenience
    {1.0f, 1.0f, 1.5f, 1.0f, 0.8f, 0.3f},   // baking
    {1.2f, 1.2f, 1.0f, 0.9f, 1.0f, 1.0f},   // beverage
    {1.3f, 1.0f, 1.2f, 0.8f, 0.7f, 0.4f},   // household
    {1.2f, 1.0f, 1.0f, 1.0f, 0.8f, 0.8f},   // baby
    {1.0f, 1.0f, 1.0f, 1.0f, 1.0f, 0.6f},   // pet
    {0.1f, 0.4f, 1.0f, 1.6f, 2.5f, 1.6f},   // alcohol
};

const float kHourWeights[24] = {0.35f, 0.25f, 0.15f, 0.08f, 0.06f, 0.12f, 0.4f, 0.8f,  1.1f,  1.1f,  1.05f, 1.2f,
                                1.35f, 1.2f,  1.0f,  1.0f,  1.15f, 1.5f, 1.8f, 1.75f, 1.45f, 1.15f, 0.85f, 0.55f};
const float kDayOfWeekWeights[7] = {0.9f, 0.85f, 0.9f, 1.0f, 1.15f, 1.35f, 1.25f};

const SeasonDef kSeasons[kNumSeasons] = {
    {"new_year", 12, 27, 12, 31, 1, 1},      {"super_bowl", 2, 1, 2, 9, 2, 10},
    {"valentines", 2, 5, 2, 14, 2, 14},      {"easter", 3, 26, 4, 6, 4, 7},
    {"summer", 6, 1, 7, 15, 8, 31},          {"july_4th", 6, 27, 7, 4, 7, 5},
    {"back_to_school", 8, 5, 8, 25, 9, 8},   {"halloween", 10, 10, 10, 31, 10, 31},
    {"thanksgiving", 11, 15, 11, 27, 11, 28}, {"christmas", 12, 5, 12, 24, 12, 25},
};
int season_index(std::string_view name) {
  for (int i = 0; i < kNumSeasons; ++i) {
    if (name == kSeasons[i].name) return i;
  }
  return -1;
}

const std::vector<AisleDef>& aisle_defs() {
  static const std::vector<AisleDef> kAisles = {
      // ---------------- Produce
      {"Produce", "Fresh Fruit", "Apples|Bananas|Berries|Citrus|Grapes|Melons#summer|Stone Fruit#summer", "",
       "1 lb|2 lb|3 lb bag|each", 0.99f, 6.99f, "healthy|staples", "organic|non-gmo|local",
       "fresh|ripe|juicy|crisp", "Great for snacking and lunchboxes.|Picked at peak ripeness.|Perfect for smoothies."},
      {"Produce", "Fresh Vegetables",
       "Salad Greens|Tomatoes|Potatoes|Onions|Bell Peppers|Carrots|Broccoli|Avocados|Garlic|Cucumbers", "",
       "1 lb|2 lb|5 lb bag|each", 0.79f, 5.99f, "healthy|staples", "organic|non-gmo|local",
       "fresh|crisp|farm-grown|hand-picked", "Ready for salads and stir-fries.|A kitchen essential.|Roast, saute or eat raw."},
      // ---------------- Dairy & Eggs
      {"Dairy & Eggs", "Milk",
       "Whole Milk|2% Milk|Skim Milk|Oat Milk@vegan@lactose-free|Almond Milk@vegan@lactose-free|Soy Milk@vegan@lactose-free|Eggnog#christmas",
       "Original:classic|Unsweetened:classic|Vanilla:sweet|Chocolate:sweet", "32 fl oz|half gallon|1 gallon",
       2.29f, 6.99f, "breakfast|staples", "organic|lactose-free|kosher|non-gmo|sugar-free|local",
       "creamy|smooth|rich|fresh", "Pour over cereal or into coffee.|A breakfast staple.|Great for baking and smoothies."},
      {"Dairy & Eggs", "Yogurt",
       "Greek Yogurt@high-protein|Whole Milk Yogurt|Yogurt Drinks|Plant-Based Yogurt@vegan@lactose-free|Skyr@high-protein",
       "Plain:classic|Vanilla:sweet|Strawberry:fruity|Blueberry:fruity|Peach:fruity|Honey:sweet|Mango:fruity|Pumpkin Spice:herbal#thanksgiving",
       "5.3 oz|4 x 5.3 oz|32 oz", 1.19f, 6.99f, "healthy|breakfast",
       "organic|vegan|lactose-free|sugar-free|high-protein|kosher|gluten-free", "creamy|thick|tangy|smooth",
       "Top with granola and fruit.|A protein-packed breakfast.|An easy snack on the go."},
      {"Dairy & Eggs", "Cheese", "Cheddar|Mozzarella|Parmesan|Shredded Cheese|Brie|Cream Cheese|String Cheese",
       "Sharp:savory|Mild:classic|Smoked:savory|Aged:savory|Herb & Garlic:herbal", "4 oz wedge|8 oz|16 oz", 2.99f,
       9.99f, "staples|premium|party", "organic|kosher|lactose-free|local|non-gmo|keto",
       "aged|creamy|nutty|sharp|melty", "Perfect for a cheese board.|Melts beautifully on pasta and pizza.|Slice it for sandwiches."},
      {"Dairy & Eggs", "Eggs", "Large Eggs@high-protein|Cage-Free Eggs@high-protein|Egg Whites@high-protein", "",
       "6 ct|12 ct|18 ct", 2.49f, 7.99f, "breakfast|protein|staples", "organic|local|kosher|keto|non-gmo",
       "farm-fresh|grade A|free-range", "Scramble, poach or bake.|A protein-rich breakfast.|Essential for baking."},
      {"Dairy & Eggs", "Butter & Cream", "Butter|Sour Cream|Heavy Cream@keto|Whipped Cream|Plant Butter@vegan@lactose-free",
       "Salted:classic|Unsalted:classic|Light:classic", "8 oz|16 oz|1 pint", 1.99f, 6.99f, "baking|staples",
       "organic|kosher|keto|local|lactose-free", "rich|creamy|smooth", "A baking essential.|Finish sauces and soups.|Spread on warm toast."},
      // ---------------- Bakery
      {"Bakery", "Bread",
       "Sandwich Bread|Sourdough|Whole Wheat Bread|Bagels|English Muffins|Tortillas|Hamburger Buns|Gluten-Free Bread@gluten-free",
       "Plain:classic|Honey Wheat:sweet|Multigrain:classic|Everything:savory|Cinnamon Raisin:sweet|Seeded:herbal",
       "6 ct|8 ct|16 oz loaf|20 oz loaf", 2.29f, 6.49f, "staples|breakfast",
       "organic|vegan|gluten-free|non-gmo|kosher|local|high-protein", "soft|freshly baked|hearty|crusty",
       "Great for sandwiches and toast.|Baked fresh every morning.|Toast it for breakfast."},
      {"Bakery", "Bakery Desserts",
       "Muffins|Bakery Cookies|Layer Cakes|Brownies|Croissants|Pumpkin Pie#thanksgiving|Gingerbread Cookies#christmas",
       "Chocolate:sweet|Blueberry:fruity|Vanilla:sweet|Lemon:fruity|Double Chocolate:sweet|Cinnamon:herbal",
       "4 ct|6 ct|12 ct|9 in", 2.99f, 14.99f, "indulgent|party", "organic|vegan|gluten-free|sugar-free|kosher|local",
       "buttery|moist|decadent|flaky", "A sweet treat for any occasion.|Share it at your next party.|Pairs well with coffee."},
      // ---------------- Meat & Seafood
      {"Meat & Seafood", "Poultry", "Chicken Breast|Chicken Thighs|Chicken Wings|Ground Turkey|Whole Turkey#thanksgiving",
       "Plain:classic|Lemon Pepper:herbal|Teriyaki:savory|Buffalo:savory", "1 lb|2 lb|family pack", 3.99f, 19.99f,
       "protein|staples", "organic|keto|high-protein|kosher|non-gmo|local", "tender|juicy|boneless|all-natural",
       "Grill, roast or stir-fry.|A lean protein for weeknight dinners.|Meal-prep friendly."},
      {"Meat & Seafood", "Beef & Pork", "Ground Beef|Steaks|Bacon|Pork Chops|Sausages|Burger Patties",
       "Plain:classic|Hickory Smoked:savory|Italian:herbal|Spicy:savory|Maple:sweet", "12 oz|1 lb|2 lb", 3.99f, 21.99f,
       "protein|party", "organic|keto|high-protein|local|low-sodium|kosher", "juicy|grass-fed|thick-cut|marbled",
       "Made for the grill.|A hearty dinner centerpiece.|Sizzle it in a skillet."},
      {"Meat & Seafood", "Seafood", "Salmon Fillets|Shrimp|Tuna Steaks|Cod Fillets|Crab Legs",
       "Plain:classic|Cajun:savory|Garlic Butter:herbal|Lemon Herb:herbal", "8 oz|1 lb|2 lb", 6.99f, 29.99f,
       "protein|premium", "keto|high-protein|local|kosher", "wild-caught|fresh|flaky|sustainably sourced",
       "Rich in omega-3.|Ready in fifteen minutes.|Perfect for a special dinner."},
      {"Meat & Seafood", "Deli", "Sliced Turkey|Sliced Ham|Salami|Roast Beef|Hummus@vegan",
       "Honey:sweet|Smoked:savory|Peppered:savory|Classic:classic|Roasted Garlic:herbal", "6 oz|8 oz|16 oz", 2.99f,
       9.99f, "convenience|protein", "organic|low-sodium|gluten-free|keto|kosher|high-protein",
       "thin-sliced|savory|deli-fresh", "Build a better sandwich.|Great for lunchboxes.|Add it to a snack board."},
      // ---------------- Pantry
      {"Pantry", "Pasta & Rice", "Spaghetti|Penne|Macaroni & Cheese|White Rice|Brown Rice|Quinoa@gluten-free@vegan|Egg Noodles",
       "Classic:classic|Whole Grain:herbal|Chickpea:herbal|Three Cheese:savory", "12 oz|16 oz|2 lb", 0.99f, 6.99f,
       "staples|convenience", "organic|gluten-free|vegan|non-gmo|kosher|high-protein", "hearty|al dente|wholesome",
       "Dinner on the table in minutes.|A pantry staple.|Pairs with any sauce."},
      {"Pantry", "Sauces & Condiments",
       "Pasta Sauce|Salsa|Ketchup|Mustard|BBQ Sauce|Hot Sauce|Mayonnaise|Soy Sauce|Salad Dressing",
       "Classic:classic|Marinara:herbal|Spicy:savory|Chipotle:savory|Honey:sweet|Garlic:herbal|Mild:classic|Smoky:savory",
       "12 oz|16 oz|24 oz", 1.49f, 7.99f, "staples|party", "organic|vegan|gluten-free|sugar-free|low-sodium|kosher|keto|non-gmo",
       "bold|tangy|zesty|slow-simmered", "Adds flavor to every meal.|Perfect for dipping.|A fridge-door favorite."},
      {"Pantry", "Canned Goods",
       "Canned Beans|Canned Tomatoes|Soup|Canned Tuna|Broth|Cranberry Sauce#thanksgiving|Stuffing Mix#thanksgiving",
       "Classic:classic|Tomato Basil:herbal|Black Bean:savory|Chicken Noodle:classic|Hearty Vegetable:herbal",
       "10 oz|15 oz|32 oz", 0.89f, 5.49f, "staples|convenience", "organic|low-sodium|vegan|gluten-free|kosher|non-gmo",
       "hearty|ready-to-eat|slow-cooked", "A pantry essential.|Heat and serve.|Great for soups and stews."},
      {"Pantry", "Baking", "Flour|Sugar|Chocolate Chips|Baking Mix|Cake Mix|Vanilla Extract|Brownie Mix",
       "Classic:classic|Dark Chocolate:sweet|Semi-Sweet:sweet|Funfetti:sweet|Gingerbread:herbal#christmas",
       "1 lb|2 lb|5 lb", 1.49f, 8.99f, "baking", "organic|gluten-free|vegan|kosher|non-gmo|fair-trade|sugar-free",
       "finely milled|premium|all-purpose", "Bake something delicious.|A baker's staple.|Perfect for holiday baking."},
      {"Pantry", "Breakfast & Cereal", "Cereal|Granola|Oatmeal|Pancake Mix|Maple Syrup",
       "Honey Nut:sweet|Cinnamon:herbal|Chocolate:sweet|Berry:fruity|Original:classic|Maple Pecan:sweet|Pumpkin Spice:herbal#thanksgiving",
       "12 oz|18 oz|family size", 2.49f, 8.99f, "breakfast|kids",
       "organic|gluten-free|sugar-free|high-protein|vegan|non-gmo|kosher|keto", "crunchy|wholesome|toasted|hearty",
       "A breakfast the whole family loves.|Top with fruit and milk.|Ready in minutes."},
      {"Pantry", "Spreads", "Peanut Butter|Almond Butter|Jam|Honey|Hazelnut Spread",
       "Creamy:classic|Crunchy:classic|Strawberry:fruity|Grape:fruity|Raspberry:fruity|Wildflower:herbal|Cocoa:sweet",
       "12 oz|16 oz|28 oz", 2.49f, 9.99f, "breakfast|staples|kids",
       "organic|vegan|sugar-free|non-gmo|kosher|keto|high-protein|fair-trade|gluten-free", "smooth|rich|spreadable",
       "Spread on toast or swirl into oatmeal.|A lunchbox classic.|Great in smoothies."},
      {"Pantry", "International", "Ramen Noodles|Curry Paste|Taco Kits|Coconut Milk|Rice Noodles",
       "Original:classic|Spicy:savory|Miso:savory|Red Curry:savory|Green Curry:herbal|Mild:classic",
       "single|4-pack|12 oz", 0.99f, 7.99f, "convenience", "vegan|gluten-free|low-sodium|organic|kosher|non-gmo",
       "authentic|bold|aromatic", "Dinner from around the world.|Ready in ten minutes.|Bring restaurant flavor home."},
      // ---------------- Snacks
      {"Snacks", "Chips", "Potato Chips|Tortilla Chips|Pretzels|Popcorn|Veggie Chips|Cheese Puffs",
       "Sea Salt:classic|Barbecue:savory|Sour Cream & Onion:savory|Jalapeño:savory|Cheddar:savory|Salt & Vinegar:savory|Chili Lime:savory|Kettle Corn:sweet",
       "5 oz|8 oz|13 oz family size", 1.99f, 5.99f, "indulgent|party", "organic|vegan|gluten-free|non-gmo|kosher|low-sodium",
       "crunchy|kettle-cooked|crispy|light", "Made for game day.|The perfect movie-night snack.|Great with dip."},
      {"Snacks", "Cookies & Crackers",
       "Sandwich Cookies|Chocolate Chip Cookies|Crackers|Graham Crackers|Rice Cakes|Cheese Crackers",
       "Original:classic|Double Chocolate:sweet|Vanilla:sweet|Cinnamon:herbal|Sea Salt:classic|Everything:savory|Peppermint:herbal#christmas",
       "7 oz|10 oz|14 oz", 1.99f, 5.99f, "indulgent|kids", "organic|vegan|gluten-free|sugar-free|kosher|non-gmo",
       "crispy|crunchy|buttery|golden", "A lunchbox favorite.|Perfect with a glass of milk.|Pairs with cheese."},
      {"Snacks", "Candy & Chocolate",
       "Chocolate Bars|Gummies|Mints|Caramels|Candy Canes#christmas|Halloween Candy#halloween|Chocolate Hearts#valentines|Chocolate Eggs#easter",
       "Milk Chocolate:sweet|Dark Chocolate:sweet|Sour:fruity|Fruit:fruity|Caramel:sweet|Sea Salt Caramel:sweet|Peppermint:herbal#christmas",
       "1.5 oz|3.5 oz|10 oz bag|party size", 0.99f, 9.99f, "indulgent|party",
       "vegan|sugar-free|gluten-free|fair-trade|kosher|organic", "rich|chewy|smooth|decadent",
       "A sweet treat.|Share with friends.|Made for celebrations."},
      {"Snacks", "Nuts & Bars", "Mixed Nuts|Almonds|Trail Mix|Protein Bars@high-protein|Granola Bars|Beef Jerky@high-protein",
       "Roasted & Salted:classic|Honey Roasted:sweet|Unsalted:classic|Chocolate Peanut Butter:sweet|Berry:fruity|Teriyaki:savory|Smoked:savory",
       "6 oz|12 oz|5 ct|12 ct", 2.49f, 12.99f, "healthy|protein|convenience",
       "organic|vegan|gluten-free|keto|high-protein|sugar-free|non-gmo|low-sodium|kosher", "crunchy|roasted|chewy|wholesome",
       "Fuel for busy days.|A post-workout snack.|Keep one in your bag."},
      {"Snacks", "Dips", "Guacamole|Queso Dip|Spinach Dip|French Onion Dip|Bean Dip", "Classic:classic|Spicy:savory|Mild:classic|Roasted Garlic:herbal",
       "8 oz|15 oz", 2.99f, 6.99f, "party", "organic|vegan|gluten-free|keto|kosher", "creamy|chunky|zesty",
       "Made for chips and veggies.|The life of the party.|Serve chilled or warm."},
      // ---------------- Frozen
      {"Frozen", "Frozen Meals", "Frozen Pizza|Frozen Dinners|Frozen Burritos|Frozen Dumplings|Chicken Nuggets|Frozen Lasagna",
       "Pepperoni:savory|Four Cheese:classic|Margherita:herbal|Supreme:savory|Teriyaki Chicken:savory|Garden Veggie:herbal|Bean & Cheese:classic",
       "single|2-pack|family size", 2.99f, 12.99f, "convenience|kids", "organic|vegan|gluten-free|high-protein|low-sodium|keto",
       "hearty|oven-ready|cheesy", "Dinner in minutes.|Keep a few in the freezer.|A late-night favorite."},
      {"Frozen", "Ice Cream & Treats", "Ice Cream|Gelato|Frozen Yogurt|Ice Cream Bars|Sorbet@vegan|Ice Pops#summer",
       "Vanilla:sweet|Chocolate:sweet|Strawberry:fruity|Cookie Dough:sweet|Mint Chip:herbal|Salted Caramel:sweet|Mango:fruity|Pumpkin Spice:herbal#thanksgiving|Peppermint Bark:herbal#christmas|Watermelon:fruity#summer",
       "1 pint|1.5 qt|6 ct", 2.99f, 8.99f, "indulgent", "vegan|sugar-free|lactose-free|gluten-free|organic|kosher|keto",
       "creamy|rich|churned|refreshing", "The perfect late-night treat.|Cool off on a hot day.|Scoop it, share it."},
      {"Frozen", "Frozen Produce", "Frozen Vegetables|Frozen Berries|Frozen Fries|Frozen Corn|Frozen Spinach", "",
       "12 oz|16 oz|32 oz", 1.49f, 6.99f, "staples|healthy", "organic|non-gmo|vegan|gluten-free|low-sodium",
       "flash-frozen|picked ripe|ready-to-cook", "Frozen at peak freshness.|Great for smoothies and sides.|No chopping needed."},
      {"Frozen", "Frozen Breakfast", "Frozen Waffles|Breakfast Sandwiches|Frozen Pancakes|Breakfast Burritos",
       "Homestyle:classic|Blueberry:fruity|Buttermilk:classic|Sausage Egg & Cheese:savory|Chocolate Chip:sweet",
       "6 ct|10 ct|24 ct", 2.99f, 9.99f, "breakfast|convenience|kids", "organic|gluten-free|high-protein|vegan",
       "golden|fluffy|toaster-ready", "Breakfast in two minutes.|A busy-morning hero.|Kids love them."},
      // ---------------- Beverages
      {"Beverages", "Soda", "Cola|Lemon-Lime Soda|Ginger Ale|Root Beer|Orange Soda",
       "Original:classic|Diet:classic|Zero Sugar:classic|Cherry:fruity|Vanilla:sweet", "2 L|7.5 fl oz 6-pack|12 fl oz 12-pack",
       1.99f, 8.99f, "party|indulgent|beverage", "sugar-free|kosher", "bubbly|crisp|refreshing",
       "Serve ice cold.|A party essential.|Pairs with pizza and burgers."},
      {"Beverages", "Water", "Spring Water|Sparkling Water|Alkaline Water|Coconut Water",
       "Unflavored:classic|Lime:fruity|Grapefruit:fruity|Berry:fruity|Lemon:fruity|Watermelon:fruity#summer",
       "1 L|12 fl oz 8-pack|16.9 fl oz 24-pack", 0.99f, 7.99f, "healthy|beverage|staples", "organic|sugar-free|vegan|keto|non-gmo",
       "crisp|refreshing|pure", "Zero calories, all refreshment.|Stay hydrated.|Keep a case in the pantry."},
      {"Beverages", "Juice", "Orange Juice|Apple Juice|Lemonade|Cold-Pressed Juice|Cranberry Juice|Sparkling Cider#new_year",
       "Original:classic|No Pulp:classic|Strawberry:fruity|Mango:fruity|Green:herbal|Pink:fruity",
       "12 fl oz|52 fl oz|1 gallon", 1.99f, 8.99f, "breakfast|beverage", "organic|sugar-free|non-gmo|kosher|vegan|local",
       "fresh-squeezed|bright|refreshing", "Start your morning right.|Serve chilled.|Great for brunch."},
      {"Beverages", "Coffee & Tea",
       "Ground Coffee|Coffee Pods|Whole Bean Coffee|Cold Brew|Black Tea|Green Tea|Herbal Tea|Hot Cocoa#christmas",
       "Dark Roast:savory|Medium Roast:classic|Hazelnut:sweet|French Vanilla:sweet|Chai:herbal|Chamomile:herbal|Earl Grey:herbal|Decaf:classic|Pumpkin Spice:herbal#thanksgiving|Peppermint Mocha:herbal#christmas",
       "12 oz|24 oz|12 ct|24 ct|20 bags", 2.99f, 14.99f, "breakfast|beverage", "organic|fair-trade|non-gmo|kosher|sugar-free|vegan",
       "bold|smooth|aromatic|small-batch", "Your morning ritual.|Brew a perfect cup.|Great hot or iced."},
      {"Beverages", "Energy & Sports", "Energy Drinks|Sports Drinks|Protein Shakes@high-protein|Kombucha",
       "Original:classic|Citrus:fruity|Berry Blast:fruity|Tropical:fruity|Chocolate:sweet|Vanilla:sweet|Ginger:herbal",
       "12 fl oz 4-pack|16 fl oz|28 fl oz", 1.99f, 11.99f, "protein|convenience|beverage",
       "sugar-free|keto|high-protein|vegan|organic|gluten-free", "energizing|refreshing|electrolyte-packed",
       "Fuel your workout.|A late-night study boost.|Recover faster."},
      // ---------------- Beer & Wine
      {"Beer & Wine", "Beer", "Lager|IPA|Light Beer|Hard Seltzer|Stout|Hard Cider",
       "Classic:classic|Citrus:fruity|Black Cherry:fruity|Mango:fruity|Hazy:herbal|Winter Spice:herbal#christmas",
       "19.2 fl oz can|6-pack|12-pack", 2.99f, 19.99f, "party|alcohol", "gluten-free|local|sugar-free|vegan",
       "crisp|hoppy|smooth|small-batch", "Made for game day.|Best served cold.|Bring it to the cookout."},
      {"Beer & Wine", "Wine", "Red Wine|White Wine|Rosé|Dessert Wine|Sparkling Wine#new_year",
       "Cabernet Sauvignon:savory|Pinot Noir:herbal|Chardonnay:classic|Sauvignon Blanc:fruity|Merlot:savory|Prosecco:fruity",
       "375 ml|750 ml|1.5 L", 7.99f, 39.99f, "premium|alcohol|party", "organic|vegan|local",
       "elegant|full-bodied|crisp|award-winning", "Pairs with a fine dinner.|Toast to something special.|Serve slightly chilled."},
      // ---------------- Household
      {"Household", "Cleaning", "Dish Soap|Laundry Detergent|All-Purpose Cleaner|Dishwasher Pods|Sponges",
       "Lemon:fruity|Lavender:herbal|Fresh Scent:classic|Free & Clear:classic|Ocean Breeze:classic",
       "16 fl oz|32 fl oz|64 loads|3 ct", 1.99f, 17.99f, "household|staples", "eco-friendly|vegan",
       "powerful|streak-free|gentle", "Cuts through grease.|Safe for the whole family.|A fresh, clean home."},
      {"Household", "Paper & Plastic", "Paper Towels|Toilet Paper|Napkins|Trash Bags|Food Storage Bags|Paper Plates|Aluminum Foil",
       "", "40 ct|100 ct|6 rolls|12 rolls", 1.99f, 24.99f, "household|staples", "eco-friendly",
       "strong|absorbent|durable", "Stock up and save.|Built for everyday messes.|Party-ready."},
      {"Household", "Outdoor", "Charcoal#summer|Bug Spray#summer|Citronella Candles#summer|Firewood#christmas", "",
       "1 ct|8 lb|16 lb", 3.99f, 19.99f, "household|party", "eco-friendly", "long-burning|natural|easy-light",
       "Made for backyard evenings.|Light up the season.|Keep it by the grill."},
      // ---------------- Personal Care
      {"Personal Care", "Bath & Body", "Shampoo|Conditioner|Body Wash|Bar Soap|Lotion|Sunscreen#summer",
       "Coconut:fruity|Lavender:herbal|Unscented:classic|Citrus:fruity|Aloe:herbal|Oatmeal:classic",
       "3 ct|12 fl oz|16 fl oz", 2.99f, 14.99f, "household", "vegan|eco-friendly|organic", "gentle|nourishing|soothing",
       "Gentle enough for every day.|A spa moment at home.|Dermatologist tested."},
      {"Personal Care", "Health", "Toothpaste|Mouthwash|Vitamins|Pain Relievers|Bandages|Cold & Flu Relief#christmas",
       "Mint:herbal|Cinnamon:herbal|Fresh:classic|Gummy:fruity", "1 ct|30 ct|100 ct|16 fl oz", 2.49f, 16.99f,
       "household|staples", "vegan|sugar-free|gluten-free|organic", "trusted|fast-acting|gentle",
       "Keep it in the medicine cabinet.|Feel better faster.|Everyday wellness."},
      // ---------------- Baby & Kids
      {"Baby & Kids", "Baby Care", "Diapers|Baby Wipes|Baby Food|Infant Formula|Baby Wash",
       "Apple:fruity|Banana:fruity|Sweet Potato:classic|Pear:fruity|Unscented:classic", "4 oz pouch|64 ct|size 1|size 3",
       2.99f, 39.99f, "baby", "organic|eco-friendly|non-gmo", "gentle|soft|hypoallergenic",
       "Gentle on sensitive skin.|Made for little ones.|Pediatrician recommended."},
      {"Baby & Kids", "Kids Snacks", "Fruit Snacks|Juice Boxes|Squeeze Pouches|Animal Crackers|Yogurt Bites",
       "Mixed Berry:fruity|Apple:fruity|Strawberry:fruity|Grape:fruity|Honey:sweet", "6 ct|10 ct|22 ct", 2.49f, 7.99f,
       "kids|indulgent", "organic|gluten-free|non-gmo|vegan|sugar-free", "fun-size|fruity|kid-approved",
       "A lunchbox favorite.|After-school snack time.|Made with real fruit."},
      // ---------------- Pet
      {"Pet", "Pet Care", "Dry Dog Food|Wet Dog Food|Dry Cat Food|Wet Cat Food|Dog Treats|Cat Litter",
       "Chicken:classic|Beef:savory|Salmon:herbal|Lamb & Rice:classic|Turkey:classic", "3 oz|12 ct|5 lb|15 lb", 1.49f,
       39.99f, "pet", "organic|gluten-free|eco-friendly", "wholesome|vet-recommended|nutritious",
       "Complete nutrition for happy pets.|Made with real meat.|Your pet will thank you."},
  };
  return kAisles;
}

const std::vector<RecipeDef>& recipe_defs() {
  static const std::vector<RecipeDef> kRecipes = {
      {"taco_night", "dinner", "staples|party", "", false, "Tortillas|Ground Beef|Salsa|Shredded Cheese|Sour Cream|Avocados"},
      {"pasta_dinner", "dinner", "staples|convenience", "", false, "Spaghetti|Pasta Sauce|Parmesan|Salad Greens|Sourdough"},
      {"breakfast_classic", "breakfast", "breakfast|staples", "", false, "Large Eggs|Bacon|Sandwich Bread|Butter|Orange Juice"},
      {"pancake_morning", "breakfast", "breakfast|kids", "", true, "Pancake Mix|Maple Syrup|Berries|Butter|Whole Milk"},
      {"yogurt_bowl", "breakfast", "healthy|breakfast", "", false, "Greek Yogurt|Granola|Berries|Honey"},
      {"coffee_break", "breakfast|afternoon", "beverage|breakfast", "", false, "Ground Coffee|Oat Milk|Muffins|Croissants"},
      {"game_day", "evening|dinner", "party|alcohol", "", true, "Tortilla Chips|Salsa|Queso Dip|Chicken Wings|Lager|Cola|Guacamole"},
      {"movie_night", "evening|late", "indulgent|party", "", false, "Popcorn|Chocolate Bars|Cola|Ice Cream|Gummies"},
      {"bbq_cookout", "afternoon|dinner", "party|protein", "summer", true, "Burger Patties|Hamburger Buns|Sausages|BBQ Sauce|Charcoal|Potato Chips|Lager"},
      {"july_4th_party", "afternoon|dinner", "party", "july_4th", true, "Burger Patties|Hamburger Buns|Melons|Potato Chips|Lager|Ice Pops|Paper Plates"},
      {"salad_lunch", "lunch", "healthy", "", false, "Salad Greens|Tomatoes|Cucumbers|Avocados|Chicken Breast|Salad Dressing"},
      {"stir_fry", "dinner", "staples|healthy", "", false, "White Rice|Chicken Thighs|Broccoli|Bell Peppers|Soy Sauce|Garlic"},
      {"salmon_dinner", "dinner", "premium|healthy", "", false, "Salmon Fillets|Quinoa|Broccoli|White Wine"},
      {"steak_night", "dinner", "premium|protein", "", true, "Steaks|Potatoes|Butter|Red Wine|Salad Greens"},
      {"sandwich_lunch", "lunch", "convenience|staples", "", false, "Sandwich Bread|Sliced Turkey|Cheddar|Mustard|Potato Chips"},
      {"kids_lunchbox", "breakfast|afternoon", "kids", "", false, "Fruit Snacks|Juice Boxes|Cheese Crackers|Apples|Peanut Butter|Sandwich Bread"},
      {"back_to_school", "afternoon|breakfast", "kids", "back_to_school", false, "Juice Boxes|Squeeze Pouches|Granola Bars|Fruit Snacks|Food Storage Bags"},
      {"baby_restock", "breakfast|afternoon|dinner", "baby", "", false, "Diapers|Baby Wipes|Baby Food|Infant Formula"},
      {"cleaning_day", "breakfast|afternoon", "household", "", true, "All-Purpose Cleaner|Paper Towels|Trash Bags|Dish Soap|Sponges"},
      {"holiday_baking", "afternoon|evening", "baking", "christmas", true, "Flour|Sugar|Butter|Chocolate Chips|Large Eggs|Vanilla Extract|Gingerbread Cookies"},
      {"thanksgiving_dinner", "afternoon|dinner", "staples|premium", "thanksgiving", false, "Whole Turkey|Potatoes|Stuffing Mix|Cranberry Sauce|Pumpkin Pie|Heavy Cream|Red Wine"},
      {"christmas_party", "evening|dinner", "party|indulgent", "christmas", true, "Eggnog|Candy Canes|Bakery Cookies|Hot Cocoa|Brie|Crackers"},
      {"cozy_night_in", "evening", "indulgent", "christmas", false, "Hot Cocoa|Firewood|Gingerbread Cookies|Whipped Cream"},
      {"new_year_party", "evening|late", "party|premium", "new_year", false, "Sparkling Wine|Sparkling Cider|Crackers|Brie|Shrimp|Chocolate Bars"},
      {"valentines_dinner", "dinner|evening", "premium", "valentines", false, "Chocolate Hearts|Steaks|Red Wine|Berries"},
      {"easter_brunch", "breakfast|lunch", "staples", "easter", true, "Chocolate Eggs|Sliced Ham|Large Eggs|Croissants|Orange Juice"},
      {"halloween_party", "afternoon|evening", "party|kids", "halloween", false, "Halloween Candy|Popcorn|Cola|Cheese Puffs|Paper Plates"},
      {"super_bowl_party", "evening|dinner", "party|alcohol", "super_bowl", true, "Chicken Wings|Tortilla Chips|Queso Dip|Guacamole|Lager|Hard Seltzer"},
      {"summer_refresh", "afternoon", "healthy|indulgent", "summer", false, "Ice Pops|Lemonade|Sparkling Water|Melons|Sunscreen"},
      {"fitness_fuel", "breakfast|afternoon|evening", "protein|healthy", "", false, "Protein Bars|Protein Shakes|Chicken Breast|Egg Whites|Sports Drinks"},
      {"smoothie_prep", "breakfast", "healthy", "", false, "Frozen Berries|Bananas|Almond Milk|Plant-Based Yogurt|Almond Butter"},
      {"late_night_snack", "late|evening", "indulgent|convenience", "", false, "Frozen Pizza|Energy Drinks|Potato Chips|Gummies"},
      {"ramen_night", "late|dinner", "convenience", "", false, "Ramen Noodles|Large Eggs|Hot Sauce|Frozen Dumplings"},
      {"curry_night", "dinner", "healthy|convenience", "", false, "Curry Paste|Coconut Milk|Chicken Thighs|White Rice|Bell Peppers"},
      {"pet_restock", "breakfast|afternoon|evening", "pet", "", false, "Dry Dog Food|Dog Treats|Wet Cat Food|Cat Litter"},
      {"wine_and_cheese", "evening", "premium|alcohol", "", true, "Red Wine|Brie|Crackers|Salami|Grapes"},
  };
  return kRecipes;
}

// name, prevalence, themes, attributes, flavours, slots, tier, price sensitivity, activity,
// age[18-24..65+], channel[ios, android, web, referral], email[gmail, yahoo, outlook, icloud, aol, proton, edu],
// household mean, pet, baby
const std::vector<PersonaDef>& persona_defs() {
  static const std::vector<PersonaDef> kPersonas = {
      {"wellness", 0.14f, "healthy:1.6,breakfast:0.6,beverage:0.4,indulgent:-1.0,alcohol:-0.6,convenience:-0.5",
       "organic:1.6,vegan:1.3,non-gmo:1.1,fair-trade:0.9,sugar-free:0.6,eco-friendly:0.8",
       "fruity:0.8,herbal:1.0,savory:-0.4", "breakfast:1.4,late:0.4", 0.6f, 0.35f, 1.1f,
       {0.08f, 0.36f, 0.30f, 0.15f, 0.08f, 0.03f}, {0.55f, 0.12f, 0.25f, 0.08f},
       {0.22f, 0.03f, 0.10f, 0.35f, 0.01f, 0.26f, 0.03f}, 2.0f, 0.35f, 0.05f},
      {"family", 0.18f, "staples:1.1,kids:1.5,breakfast:0.8,convenience:0.6,baby:0.6,alcohol:-0.8,premium:-0.5",
       "organic:0.2,high-protein:0.2,sugar-free:-0.3", "sweet:0.8,classic:0.6,herbal:-0.5", "breakfast:1.3,dinner:1.5,late:0.3",
       -0.5f, 1.3f, 1.3f, {0.01f, 0.15f, 0.45f, 0.30f, 0.07f, 0.02f}, {0.22f, 0.40f, 0.30f, 0.08f},
       {0.45f, 0.20f, 0.15f, 0.10f, 0.05f, 0.02f, 0.03f}, 4.2f, 0.4f, 0.45f},
      {"student", 0.12f, "convenience:1.6,indulgent:1.3,beverage:0.6,party:0.5,premium:-1.2,baking:-0.8,baby:-2.0",
       "vegan:0.2,high-protein:0.2,organic:-0.4", "savory:1.0,sweet:0.8,herbal:-0.6", "late:3.0,evening:1.6,breakfast:0.4",
       -1.0f, 1.8f, 0.9f, {0.70f, 0.25f, 0.03f, 0.01f, 0.005f, 0.005f}, {0.45f, 0.35f, 0.08f, 0.12f},
       {0.30f, 0.02f, 0.05f, 0.15f, 0.0f, 0.08f, 0.40f}, 1.6f, 0.1f, 0.0f},
      {"fitness", 0.10f, "protein:1.8,healthy:1.0,beverage:0.4,indulgent:-1.2,baking:-0.7",
       "high-protein:1.9,keto:1.5,sugar-free:1.2,gluten-free:0.3", "classic:0.5,fruity:0.4,sweet:-0.6",
       "breakfast:1.3,evening:1.3,late:0.6", 0.2f, 0.7f, 1.2f, {0.15f, 0.50f, 0.22f, 0.09f, 0.03f, 0.01f},
       {0.60f, 0.20f, 0.12f, 0.08f}, {0.45f, 0.03f, 0.12f, 0.28f, 0.0f, 0.08f, 0.04f}, 1.8f, 0.25f, 0.05f},
      {"gourmet", 0.10f, "premium:1.8,alcohol:0.9,protein:0.5,baking:0.5,convenience:-1.2,kids:-0.8",
       "local:1.3,organic:0.6,fair-trade:0.5", "herbal:1.0,savory:0.8,sweet:-0.3", "dinner:1.6,evening:1.3,late:0.4",
       1.6f, 0.15f, 0.9f, {0.02f, 0.12f, 0.22f, 0.28f, 0.24f, 0.12f}, {0.30f, 0.08f, 0.55f, 0.07f},
       {0.18f, 0.05f, 0.25f, 0.40f, 0.03f, 0.07f, 0.02f}, 2.2f, 0.3f, 0.05f},
      {"gluten_free", 0.07f, "healthy:0.8,staples:0.5,baking:0.6",
       "gluten-free:2.4,lactose-free:1.2,organic:0.4,non-gmo:0.5", "fruity:0.5,classic:0.4", "", 0.3f, 0.8f, 1.0f,
       {0.08f, 0.25f, 0.28f, 0.22f, 0.12f, 0.05f}, {0.35f, 0.25f, 0.30f, 0.10f},
       {0.35f, 0.10f, 0.20f, 0.20f, 0.05f, 0.07f, 0.03f}, 2.6f, 0.3f, 0.12f},
      {"traditional", 0.14f, "staples:1.3,baking:0.8,household:0.6,pet:0.4,party:-0.8,convenience:-0.4",
       "kosher:1.5,low-sodium:1.4,sugar-free:0.5,vegan:-0.6", "classic:1.2,sweet:0.3,savory:-0.5,fruity:-0.2",
       "breakfast:2.0,afternoon:1.3,evening:0.5,late:0.1", -0.3f, 1.2f, 1.0f, {0.0f, 0.02f, 0.05f, 0.15f, 0.33f, 0.45f},
       {0.10f, 0.15f, 0.70f, 0.05f}, {0.15f, 0.30f, 0.15f, 0.05f, 0.33f, 0.0f, 0.02f}, 2.0f, 0.45f, 0.02f},
      {"party_host", 0.15f, "party:1.7,alcohol:1.3,indulgent:0.6,premium:0.3,healthy:-0.6,baby:-1.0",
       "local:0.4,gluten-free:0.2,sugar-free:-0.2", "savory:1.1,fruity:0.4,herbal:-0.3", "evening:2.0,dinner:1.3,breakfast:0.4",
       0.4f, 0.8f, 1.0f, {0.20f, 0.45f, 0.22f, 0.09f, 0.03f, 0.01f}, {0.35f, 0.25f, 0.10f, 0.30f},
       {0.40f, 0.08f, 0.20f, 0.22f, 0.02f, 0.05f, 0.03f}, 2.4f, 0.25f, 0.08f},
  };
  return kPersonas;
}

const char* const kAgeBuckets[6] = {"18-24", "25-34", "35-44", "45-54", "55-64", "65+"};
const char* const kSignupChannels[4] = {"ios", "android", "web", "referral"};
const char* const kEmailDomains[7] = {"gmail.com", "yahoo.com", "outlook.com", "icloud.com",
                                      "aol.com",   "proton.me", "university.edu"};
const char* const kDevices[3] = {"ios", "android", "web"};
const char* const kRegionNames[kMaxRegions] = {"boston", "chicago", "austin",   "denver",       "seattle", "atlanta",
                                               "miami",  "phoenix", "new-york", "philadelphia", "portland", "los-angeles"};

const std::vector<const char*>& brand_first_words() {
  static const std::vector<const char*> k = {
      "Green",   "Sunny",   "Blue",    "Golden",   "Wild",     "Happy",   "North",  "Maple",   "River",    "Stone",
      "Silver",  "Little",  "Honest",  "Pure",     "Fresh",    "Old",     "Red",    "Cedar",   "Harvest",  "Prairie",
      "Coastal", "Mountain", "Urban",  "Simple",   "True",     "Bright",  "Good",   "Nature's", "Farmer's", "Grandma's",
      "Hidden",  "Rolling", "Morning", "Evening",  "Copper",   "Ivory",   "Crimson", "Amber",  "Willow",   "Oak",
  };
  return k;
}
const std::vector<const char*>& brand_second_words() {
  static const std::vector<const char*> k = {
      "Valley", "Farms",   "Harbor", "Acres",     "Kitchen", "Pantry", "Fields", "Grove",  "Creek",  "Orchard",
      "Table",  "Naturals", "Foods", "Market",    "Bakehouse", "Dairy", "Garden", "Ridge", "Meadow", "Mill",
      "Hollow", "Brothers", "Provisions", "Co.",  "Select",  "Basics", "Trading", "Works", "Homestead", "Goods",
  };
  return k;
}
const std::vector<const char*>& brand_surnames() {
  static const std::vector<const char*> k = {
      "Miller's", "Baker's",  "Hudson",   "Carter's", "Bennett",  "Parker's", "Dalton",  "Fletcher", "Garcia's", "Nguyen",
      "Okafor",   "Rossi",    "Sato",     "Larsen",   "Dubois",   "Kowalski", "Murphy's", "Patel's", "Schmidt",  "Alvarez",
      "Chen's",   "Ibrahim",  "Novak",    "O'Brien",  "Santos",   "Tanaka",   "Weber",   "Yilmaz",   "Lindqvist", "Moreau",
      "Abbott",   "Brooks",   "Calloway", "Donovan",  "Ellison",  "Foster's", "Greer",   "Hawthorne", "Ingram",  "Jensen",
  };
  return k;
}

}  // namespace stars::synth
