from .job import *
from .step import *
