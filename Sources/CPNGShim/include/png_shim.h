#ifndef TESSERA_PNG_SHIM_H
#define TESSERA_PNG_SHIM_H
int tessera_png_shim_version(void);
#endif
