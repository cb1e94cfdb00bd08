#pragma once
// One include for every test file, switchable between Catch2 v2 and v3.
#if defined(MAILWIRE_CATCH2_V3)
#include <catch2/catch_all.hpp>
#else
#include <catch2/catch.hpp>
#endif
