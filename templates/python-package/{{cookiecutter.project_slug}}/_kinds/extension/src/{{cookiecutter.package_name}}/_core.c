/* The compiled part of {{ cookiecutter.package_name }}: a small CPython extension module.
 *
 * Built by setuptools (see [tool.setuptools] ext-modules in pyproject.toml);
 * _core.pyi beside it gives its types to mypy and to readers.
 */
#define PY_SSIZE_T_CLEAN
#include <Python.h>
#include <limits.h>

static PyObject *
core_add(PyObject *self, PyObject *args)
{
    long long a, b;
    if (!PyArg_ParseTuple(args, "LL", &a, &b)) {
        return NULL;
    }
    /* Portable overflow check (MSVC has no __builtin_add_overflow). */
    if ((b > 0 && a > LLONG_MAX - b) || (b < 0 && a < LLONG_MIN - b)) {
        PyErr_SetString(PyExc_OverflowError, "add: the sum does not fit in 64 bits");
        return NULL;
    }
    return PyLong_FromLongLong(a + b);
}

static PyMethodDef core_methods[] = {
    {"add", core_add, METH_VARARGS, "add(a, b, /)\n--\n\nReturn a + b, computed in C."},
    {NULL, NULL, 0, NULL},
};

static struct PyModuleDef core_module = {
    PyModuleDef_HEAD_INIT,
    "{{ cookiecutter.package_name }}._core", /* m_name */
    "The compiled part of {{ cookiecutter.package_name }}.", /* m_doc */
    0, /* m_size */
    core_methods, /* m_methods */
};

PyMODINIT_FUNC
PyInit__core(void)
{
    return PyModule_Create(&core_module);
}
