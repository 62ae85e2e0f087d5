// The checker's smooth-network evaluation (src/check/smooth_net.cpp,
// proofs/networks.md N10): at points, the MPFI value of Φ_1, Φ_2 and h_2 meets a
// reference computed with mpmath at 80 digits (tests/check/smooth_net_reference.py)
// and is narrower than 2^-100 at 128 bits; on boxes, the range, the gradient
// hull and the centre value contain h_2 and h_2' at the reference points, the
// order-1 form (N10) holds there, and a small box gives a small range (first
// order). The network has tanh, sigmoid, sin and ReLU (with kinks), two grades.
#include <doctest/doctest.h>

#include <string>
#include <vector>

#include "dense.hpp"
#include "fields.hpp"
#include "smooth_net.hpp"

using mgdl::check::Box;
using mgdl::check::CorrectionEnclosure;
using mgdl::check::DenseNetwork;
using mgdl::check::I;
using mgdl::check::Q;

namespace {

// The NET of smooth_net_reference.py in the network JSON (net::to_json).
const char* kNet = R"({"input_dimension": 1, "grades": [
 {"layers": [{"inputs": 1, "outputs": 3, "activation": "tanh", "bias": ["0", "1/2", "-1/8"],
              "weights": [[0, 0, "3/2"], [1, 0, "-2"], [2, 0, "1/4"]]}],
  "readout": {"inputs": 3, "outputs": 1, "relu": false, "bias": ["1/8"],
              "weights": [[0, 0, "1/2"], [0, 1, "1/4"], [0, 2, "-1"]]}},
 {"layers": [{"inputs": 3, "outputs": 2, "activation": "sigmoid", "bias": ["0", "1/4"],
              "weights": [[0, 0, "1"], [0, 1, "-1"], [0, 2, "2"], [1, 0, "1/2"], [1, 2, "-3"]]},
             {"inputs": 2, "outputs": 2, "activation": "sin", "bias": ["-1", "1/2"],
              "weights": [[0, 0, "2"], [0, 1, "1"], [1, 0, "-1"], [1, 1, "3/2"]]},
             {"inputs": 2, "outputs": 2, "relu": true, "bias": ["1/8", "-3/2"],
              "weights": [[0, 0, "1"], [0, 1, "-1"], [1, 0, "1"], [1, 1, "1"]]}],
  "readout": {"inputs": 2, "outputs": 1, "relu": false, "bias": ["1/16"],
              "weights": [[0, 0, "-3/4"], [0, 1, "5/4"]]}}]})";

struct Reference {
  const char* x;
  std::vector<const char*> v;  // Φ_1(x), Φ_2(x), h_2(x), h_2'(x) (one-sided at the ends)
};

// Output of smooth_net_reference.py (mpmath 1.3, 80 digits, printed to 60).
const std::vector<Reference> kRefs = {
    {"1/3",
     {"3.56416046144333490933423671997748549041635712028958539969375e-1",
      "3.32029995096849132990041732613176878273218692308725634763841e-1",
      "-2.43860510474843579433819393845716707684170197202329052055341e-2",
      "-6.95728819414535269735049952438609283127430183955329190259074e-1"}},
    {"0",
     {"3.64882291086598647680226896716810844858491112597867010052853e-1",
      "4.27382291086598647680226896716810844858491112597867010052853e-1", "6.25e-2", "0.0"}},
    {"1/16",
     {"3.702684314931649388536679344843888193981021514562969321953e-1",
      "4.327684314931649388536679344843888193981021514562969321953e-1", "6.25e-2", "0.0"}},
    {"1/8",
     {"3.723725695242247741158187239491097307029398776444598429681e-1",
      "4.348725695242247741158187239491097307029398776444598429681e-1", "6.25e-2", "0.0"}},
    {"3/16",
     {"3.71085486298650428888384858207136925765471575673192805401753e-1",
      "4.33585486298650428888384858207136925765471575673192805401753e-1", "6.25e-2", "0.0"}},
    {"1/4",
     {"3.66597445922905487649823006970790355341161569745785758114696e-1",
      "4.10475414015653007932277689925502643000046439951033243181316e-1",
      "4.38779680927475202824546829547122876588848702052474850666195e-2",
      "-1.44663858245993771289100557100013795829191634869117891511817"}},
    {"5/16",
     {"3.59346840000605186270114491879549042588259190336694777539389e-1",
      "3.4907884498110947604000719680379218719292645523189086953776e-1",
      "-1.02679950194957102301072950757568553953327351048039080016293e-2",
      "-6.58568139212694506548479780132628925214926813319259918307764e-1"}},
    {"3/8",
     {"3.49925152712732265693384463771648389464547090070467757358528e-1",
      "2.95308361222077641841159085387026364214074841210103700038586e-1",
      "-5.46167914906546238522253783846220252504722488603640573199414e-2",
      "-7.51140385126730884447561172559162445981561657288225888580616e-1"}},
    {"7/16",
     {"3.38965574613607039736980789669420764048504015826978428808402e-1",
      "2.35940421329620584931971620407816388753546889848662893426214e-1",
      "-1.03025153283986454805009169261604375294957125978315535382187e-1",
      "-7.89678036165390185007996089718767325304429569033345991766666e-1"}},
    {"1/2",
     {"3.27045186878641219981637557745330110363668523498376356971872e-1",
      "1.74589144355077323968965627559235544791346917122213199037677e-1",
      "-1.52456042523563896012671930186094565572321606376163157934195e-1",
      "-7.86570417404253942924515251849140399815710481269906345665187e-1"}},
    {"9/16",
     {"3.14621443408788153888758445060215585102995347830602049055497e-1",
      "1.13788273476301306285594984535160276622510066575864181086244e-1",
      "-2.00833169932486847603163460525055308480485281254737867969252e-1",
      "-7.58732004188205504231583726561203357714646748212455098584572e-1"}},
    {"5/8",
     {"3.02008690259317659748170671825257226154450158384132622503763e-1",
      "5.49170437963630755035122384147807947677357084139250293608539e-2",
      "-2.47091646462954584244658433410476431386714449970207593142909e-1",
      "-7.20836086922623957220565029121297678467255538442846530734259e-1"}},
    {"11/16",
     {"2.89387494860303442636243556290531306386918295087596555084921e-1",
      "-1.54787616062906408107315502836831050790746714941490172550758e-3",
      "-2.90935371020932506717316711318899616894825762237011456810428e-1",
      "-6.8267119091582492231103312360911145831838163282673301826354e-1"}},
    {"3/4",
     {"2.76833249364436769510377774926253766988163136753271234167824e-1",
      "-5.56964628130600333479384854669333384232487296125982732768368e-2",
      "-3.32529712177496802858316260393187105411411866365869507444661e-1",
      "-6.49398021961432713300031646025175457806176358428759172527261e-1"}},
    {"13/16",
     {"2.64350822251979483662258060352082236297057765960293814063265e-1",
      "-1.00890569232525194145428210008943099569013694026795601379515e-1",
      "-3.6524139148450467780768627036102533586607145998708941544278e-1",
      "-2.95444656537976605802485654386080257983736489076196769702693e-1"}},
    {"7/8",
     {"2.51906094901764938193560340272731072424910248366104217404628e-1",
      "-1.3087587184008435033474052008317512381709024948573619380848e-1",
      "-3.82781966741849288528300860355906196242000497851840411213108e-1",
      "-2.67453229032730643740215232359118030527913457210908971875043e-1"}},
    {"15/16",
     {"2.39449969858175389789720583268280124910122076343196392253334e-1",
      "-1.59392020665231466933478055414358203188973986967646932955842e-1",
      "-3.98841990523406856723198638682638328099096063310843325209176e-1",
      "-2.47600500130558531569371401955954775105917294880347531720323e-1"}},
    {"1",
     {"2.26934061639620401505928648308231191630991491274356699226386e-1",
      "-1.86917084724452542170043826997218861200297464541742210799249e-1",
      "-4.13851146364072943675972475305450052831288955816098910025635e-1",
      "-2.33487631720502725405003359732836138157969033432238301514831e-1"}},
    {"1791/2048",
     {"2.52003296981173883040195809879581398997574641333090911865467e-1",
      "-1.30648032584490973318274594626293028959606935426141870509515e-1",
      "-3.82651329565664856358470404505874427957181576759232782374982e-1",
      "-2.67636726774856055787202858183678366904700135910132092606628e-1"}},
    {"1793/2048",
     {"2.51808892118202981127329218532726665728347920214738644415427e-1",
      "-1.31103622321561666061942660437183113907412160316994613225394e-1",
      "-3.82912514439764647189271878969909779635760080531733257640821e-1",
      "-2.67270223563445489330254577403664176439693105478189404657552e-1"}},
};

DenseNetwork network() {
  DenseNetwork n;
  n.d = 1;
  n.blocks = mgdl::check::fields::dense_network(nlohmann::json::parse(kNet), 1);
  return n;
}

Q rational(const char* s) {
  return mgdl::check::parse_exact(s);
}

// The interval [r − 10^-55, r + 10^-55] around a 60-digit reference, at 256 bits.
I around(const char* decimal) {
  I r(256), e(256);
  mpfi_set_str(r.get(), decimal, 10);
  mpfi_set_str(e.get(), "1e-55", 10);
  mpfr_neg(e.left(), e.right(), MPFR_RNDD);  // [−ε, ε] with ε >= 10^-55
  mpfi_add(r.get(), r.get(), e.get());
  return r;
}

bool meets(const I& x, const I& ref) {
  return mpfr_cmp(x.left(), ref.right()) <= 0 && mpfr_cmp(ref.left(), x.right()) <= 0;
}

// [lo, hi] (rational ends) meets ref.
bool meets(const Q& lo, const Q& hi, const I& ref) {
  I x(512);
  mgdl::check::set_interval(x, lo, hi);
  return meets(x, ref);
}

// right − left <= 2^e.
bool narrower(const I& x, long e) {
  mpfr_t w;
  mpfr_init2(w, 64);
  mpfr_sub(w, x.right(), x.left(), MPFR_RNDU);
  const bool r = mpfr_cmp_ui_2exp(w, 1, e) <= 0;
  mpfr_clear(w);
  return r;
}

}  // namespace

TEST_CASE("checker smooth networks: point values contain the mpmath reference") {
  const DenseNetwork net = network();
  CHECK(mgdl::check::has_smooth_activation(net));
  for (const Reference& r : kRefs) {
    const std::vector<Q> x{rational(r.x)};
    const int first[] = {1, 1, 2}, last[] = {1, 2, 2};
    for (int k = 0; k < 3; ++k) {
      I v(128);
      mgdl::check::smooth_value(net, x, first[k], last[k], v);
      INFO("x = " << std::string(r.x) << ", grades " << first[k] << ".." << last[k]);
      CHECK(meets(v, around(r.v[static_cast<std::size_t>(k)])));
      CHECK(narrower(v, -100));
    }
    // A read-out bias moved by 2^-90 moves the value off the reference (the test can fail).
    DenseNetwork other = net;
    other.blocks[0].readout.bias[0] = rational("1/8") + Q(1, 1UL << 45) * Q(1, 1UL << 45);
    I w(128);
    mgdl::check::smooth_value(other, x, 1, 1, w);
    CHECK_FALSE(meets(w, around(r.v[0])));
  }
}

TEST_CASE("checker smooth networks: box enclosures (value, gradient hull, range)") {
  const DenseNetwork net = network();
  const char* boxes[][2] = {{"0", "1"},   {"1/4", "1/2"}, {"1/2", "3/4"},
                            {"3/4", "1"}, {"0", "1/8"},   {"1791/2048", "1793/2048"}};
  for (const auto& bx : boxes) {
    Box box{{rational(bx[0])}, {rational(bx[1])}};
    const std::vector<Q> center{(box.lo[0] + box.hi[0]) * Q(1, 2)};
    CorrectionEnclosure h;
    h.reset(1);
    mgdl::check::add_dense_enclosure(net, 2, 2, box, center, 128, h);
    INFO("box [" << std::string(bx[0]) << ", " << std::string(bx[1]) << "]");
    // Not affine where a smooth unit feeds an active ReLU; on [0, 1/8] both ReLUs are off
    // (h_2 = 1/16 there, the reference says so too) and the enclosure is exact.
    if (box.hi[0] == Q(1, 8)) {
      CHECK(h.affine);
      CHECK(h.lo == Q(1, 16));
      CHECK(h.hi == Q(1, 16));
    } else {
      CHECK_FALSE(h.affine);
    }
    CHECK(h.value_radius.sign() >= 0);
    CHECK(h.lo <= h.value - h.value_radius);
    CHECK(h.value + h.value_radius <= h.hi);
    int inside = 0;
    for (const Reference& r : kRefs) {
      const Q x = rational(r.x);
      if (x < box.lo[0] || box.hi[0] < x) continue;
      ++inside;
      INFO("x = " << std::string(r.x));
      const I hx = around(r.v[2]);
      CHECK(meets(h.lo, h.hi, hx));                      // range ⊇ h(B)
      CHECK(meets(h.glo[0], h.ghi[0], around(r.v[3])));  // G ⊇ h'(B)
      // Order-1 form: h(x) ∈ V + G·(x − c).
      const Q dx = x - center[0];
      const Q a = h.value - h.value_radius, b = h.value + h.value_radius;
      const Q g1 = h.glo[0] * dx, g2 = h.ghi[0] * dx;
      CHECK(meets(a + mgdl::check::qmin(g1, g2), b + mgdl::check::qmax(g1, g2), hx));
      if (x == center[0]) CHECK(meets(a, b, hx));
    }
    CHECK(inside >= 2);
  }
  // First order: on the box of width 2^-10 around 7/8, the range is within 2^-8.
  Box small{{rational("1791/2048")}, {rational("1793/2048")}};
  CorrectionEnclosure h;
  h.reset(1);
  mgdl::check::add_dense_enclosure(net, 1, 2, small, {rational("7/8")}, 128, h);
  CHECK(h.hi - h.lo < Q(1, 256));
  CHECK(h.value_radius < Q(1, 1L << 40));
}

TEST_CASE("checker smooth networks: a zero read-out is exactly zero, affine; parse errors") {
  nlohmann::json j = nlohmann::json::parse(kNet);
  j["grades"][1]["readout"]["weights"] = nlohmann::json::array();
  j["grades"][1]["readout"]["bias"] = {"0"};
  DenseNetwork net;
  net.d = 1;
  net.blocks = mgdl::check::fields::dense_network(j, 1);
  CorrectionEnclosure h;
  h.reset(1);
  mgdl::check::add_dense_enclosure(net, 2, 2, Box{{Q()}, {Q(1)}}, {Q(1, 2)}, 128, h);
  CHECK(h.affine);
  CHECK(h.lo.sign() == 0);
  CHECK(h.hi.sign() == 0);
  // tanh, then a ReLU that is off everywhere (tanh <= 1 < 2), then the bias 1/3: h ≡ 1/3 is
  // affine, but MPFI rounds 1/3, so the enclosure must not claim an exact affine h.
  nlohmann::json off = nlohmann::json::parse(R"({"grades": [{"layers": [
      {"inputs": 1, "outputs": 1, "activation": "tanh", "bias": ["0"], "weights": [[0, 0, "1"]]},
      {"inputs": 1, "outputs": 1, "relu": true, "bias": ["-2"], "weights": [[0, 0, "1"]]}],
      "readout": {"inputs": 1, "outputs": 1, "relu": false, "bias": ["1/3"], "weights": [[0, 0, "1"]]}}]})");
  DenseNetwork third;
  third.d = 1;
  third.blocks = mgdl::check::fields::dense_network(off, 1);
  CorrectionEnclosure t;
  t.reset(1);
  mgdl::check::add_dense_enclosure(third, 1, 1, Box{{Q()}, {Q(1)}}, {Q(1, 2)}, 128, t);
  CHECK_FALSE(t.affine);
  CHECK(t.value_radius.sign() > 0);
  CHECK(t.lo < Q(1, 3));
  CHECK(Q(1, 3) < t.hi);
  CHECK(t.glo[0].sign() == 0);
  CHECK(t.ghi[0].sign() == 0);
  nlohmann::json bad = nlohmann::json::parse(kNet);
  bad["grades"][0]["layers"][0]["activation"] = "softplus";
  CHECK_THROWS_AS(mgdl::check::fields::dense_network(bad, 1), mgdl::check::MalformedError);
  bad["grades"][0]["layers"][0]["activation"] = "tanh";
  bad["grades"][0]["layers"][0]["relu"] = false;
  CHECK_THROWS_AS(mgdl::check::fields::dense_network(bad, 1), mgdl::check::MalformedError);
}
