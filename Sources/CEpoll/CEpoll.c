// The module is its header; SwiftPM wants a source file in a C target.
#include "CEpoll.h"
