// Debian's libopenblas-dev (pthread variant); pkg-config "openblas" adds its include directory.
#include <cblas.h>

// Name of the kernel set OpenBLAS picked at run time (DYNAMIC_ARCH), e.g. "Cooperlake".
char *openblas_get_corename(void);
int openblas_get_num_threads(void);
