#ifndef TESSERA_PNG_SHIM_H
#define TESSERA_PNG_SHIM_H

// A thin, longjmp-free C interface over libpng.
//
// libpng reports errors by longjmp to a setjmp point. Swift frames must never be
// skipped by a longjmp (their cleanup would never run), so every entry point below
// owns its own setjmp and turns libpng errors into a return code plus a message
// stored in the handle. Callers treat any non-zero return as failure and read the
// message with the *_message() accessor.

#include <stddef.h>
#include <stdint.h>

#ifdef __cplusplus
extern "C" {
#endif

int tessera_png_shim_version(void);

/// Result codes of the shim. TESSERA_PNG_OK is zero.
enum {
    TESSERA_PNG_OK = 0,
    TESSERA_PNG_ERR_OPEN = 1,       // the file could not be opened/created
    TESSERA_PNG_ERR_SIGNATURE = 2,  // the first 8 bytes are not the PNG signature
    TESSERA_PNG_ERR_TRUNCATED = 3,  // the data ended before the image did
    TESSERA_PNG_ERR_LIBPNG = 4,     // libpng rejected the data (CRC, header, zlib ...)
    TESSERA_PNG_ERR_IO = 5,         // read/write system error
    TESSERA_PNG_ERR_USAGE = 6,      // calls made in a wrong order / bad arguments
    TESSERA_PNG_ERR_MEMORY = 7,
};

// ---------------------------------------------------------------- reading

typedef struct tessera_png_reader tessera_png_reader;

typedef struct {
    uint32_t width;
    uint32_t height;
    int source_bit_depth;   // 1, 2, 4, 8 or 16 as stored in IHDR
    int source_color_type;  // PNG colour type from IHDR (0, 2, 3, 4, 6)
    int interlaced;         // 1 for Adam7
    int has_transparency;   // alpha channel or a tRNS chunk
    int output_bit_depth;   // 8 or 16: rows are delivered as RGBA at this depth
    size_t output_row_bytes;
} tessera_png_info;

/// Opens a file, checks the signature and reads every chunk up to the first IDAT.
/// Rows will be delivered as RGBA (8 or 16 bits per sample, 16-bit samples in host
/// byte order), palettes/low bit depths/tRNS expanded, no gamma correction.
/// Returns NULL only when out of memory; otherwise check *status.
tessera_png_reader *tessera_png_reader_open_file(const char *path, int *status);

/// Same, reading from a memory buffer (not copied: it must outlive the reader).
tessera_png_reader *tessera_png_reader_open_memory(const uint8_t *bytes, size_t count, int *status);

/// Message describing the last failure (never NULL).
const char *tessera_png_reader_message(const tessera_png_reader *reader);

int tessera_png_reader_info(const tessera_png_reader *reader, tessera_png_info *info);

/// Reads the next `count` rows of a non-interlaced image into `rows`
/// (count * output_row_bytes bytes).
int tessera_png_reader_read_rows(tessera_png_reader *reader, uint8_t *rows, uint32_t count);

/// Reads the whole image (any interlace) into `pixels` (height * output_row_bytes bytes).
int tessera_png_reader_read_image(tessera_png_reader *reader, uint8_t *pixels);

/// Reads the chunks after the image data (text chunks after IDAT, IEND, CRCs).
int tessera_png_reader_finish(tessera_png_reader *reader);

/// Text chunks seen so far. compression: -1 tEXt, 0 zTXt, 1/2 iTXt.
int tessera_png_reader_text_count(const tessera_png_reader *reader);
int tessera_png_reader_text_at(const tessera_png_reader *reader, int index,
                               const char **key, const char **text, size_t *text_length,
                               int *compression);

void tessera_png_reader_close(tessera_png_reader *reader);

// ---------------------------------------------------------------- writing

typedef struct tessera_png_writer tessera_png_writer;

/// Creates the file and prepares a writer. channels: 3 (RGB) or 4 (RGBA); bit_depth: 8 or 16.
/// compression_level: 0..9 (zlib). Returns NULL only when out of memory; check *status.
tessera_png_writer *tessera_png_writer_open_file(const char *path, uint32_t width, uint32_t height,
                                                 int channels, int bit_depth, int compression_level,
                                                 int *status);

const char *tessera_png_writer_message(const tessera_png_writer *writer);

/// Adds a text chunk; only before the first row. itxt != 0 writes iTXt (UTF-8), else tEXt (Latin-1 bytes).
int tessera_png_writer_add_text(tessera_png_writer *writer, const char *key, const char *text,
                                size_t text_length, int itxt);

/// Writes `count` rows (16-bit samples in host byte order). The header is written before the first row.
int tessera_png_writer_write_rows(tessera_png_writer *writer, const uint8_t *rows, uint32_t count);

/// Writes IEND and closes the file; fails when not all rows were written.
int tessera_png_writer_finish(tessera_png_writer *writer);

/// Releases everything; if finish did not succeed the partial file is removed.
void tessera_png_writer_close(tessera_png_writer *writer);

#ifdef __cplusplus
}
#endif

#endif
