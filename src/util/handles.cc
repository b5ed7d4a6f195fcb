#include "util/handles.h"

#include <archive.h>
#include <curl/curl.h>
#include <libdeflate.h>
#include <openssl/evp.h>
#include <sqlite3.h>

namespace rotguard {

void FreeEvpMdCtx(evp_md_ctx_st* p) { EVP_MD_CTX_free(p); }
void CloseSqlite(sqlite3* p) { sqlite3_close_v2(p); }
void FinalizeStmt(sqlite3_stmt* p) { sqlite3_finalize(p); }
void FreeArchiveRead(archive* p) { archive_read_free(p); }
void FreeArchiveWrite(archive* p) { archive_write_free(p); }
void FreeCompressor(libdeflate_compressor* p) { libdeflate_free_compressor(p); }
void FreeDecompressor(libdeflate_decompressor* p) {
  libdeflate_free_decompressor(p);
}
void CloseFile(std::FILE* p) { std::fclose(p); }
void CleanupCurlEasy(void* p) { curl_easy_cleanup(p); }
void CleanupCurlMulti(void* p) { curl_multi_cleanup(p); }
void FreeCurlSlist(curl_slist* p) { curl_slist_free_all(p); }

}  // namespace rotguard
