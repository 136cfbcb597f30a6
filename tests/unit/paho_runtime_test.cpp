#include "steps/mqtt/paho/paho_runtime.h"

#include <doctest/doctest.h>

#include <cstdlib>
#include <string>

using mqttest::paho::thread_observation;
using mqttest::paho::verdict;

TEST_CASE("paho self-test: both of Paho's waits seen through the hooks pass") {
  CHECK(verdict({true, true, ""}) == "");
}

TEST_CASE("paho self-test: each failed assumption is named, with the process's threads") {
  CHECK(verdict({false, false, "unit_tests, Paho_send, Paho_rcv"}) ==
        "no thread named MQTTAsync* waited in poll(), usleep() or pthread_cond_timedwait() "
        "during the first connect (threads: unit_tests, Paho_send, Paho_rcv)");
  CHECK(verdict({false, true, "x, MQTTAsync_send, MQTTAsync_rcv"}) ==
        "Paho's receive thread did not wait in poll() or usleep() during the first connect "
        "(threads: x, MQTTAsync_send, MQTTAsync_rcv)");
  CHECK(verdict({true, false, "x, MQTTAsync_send, MQTTAsync_rcv"}) ==
        "Paho's send thread did not wait in pthread_cond_timedwait() during the first connect "
        "(threads: x, MQTTAsync_send, MQTTAsync_rcv)");
}

TEST_CASE("paho tuning: off in an executable that does not link the hooks, said once") {
  // unit_tests links steps/mqtt but not paho_hooks.cpp (see CMakeLists.txt).
  const char* kill = std::getenv("MQTTEST_PAHO_TUNING");
  bool killed = kill != nullptr && std::string(kill) == "off";
  std::string expected =
      killed ? "MQTTEST_PAHO_TUNING=off"
             : "Paho's calls to poll(), usleep(), socket(), connect() and "
               "pthread_cond_timedwait() do not reach mqttest's hooks (the executable does not "
               "link or export them)";
  // Other test cases of this process may have opened a session (and so run
  // init()) already: then the notice was taken there, once.
  bool first = mqttest::paho::tuning_off_reason().empty();  // not decided before init()
  mqttest::paho::init();
  mqttest::paho::init();  // once per process
  CHECK(mqttest::paho::tuning_off_reason() == expected);
  if (first) CHECK(mqttest::paho::take_tuning_notice() == expected);
  CHECK(mqttest::paho::take_tuning_notice() == "");
}
