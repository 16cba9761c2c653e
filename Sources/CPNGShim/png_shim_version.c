#include <png.h>
#include "png_shim.h"

int tessera_png_shim_version(void) { return (int)png_access_version_number(); }
